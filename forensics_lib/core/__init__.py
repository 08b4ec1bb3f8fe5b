"""The layer every family stands on: errors, times, evidence (containers), hashing, SQLite,
the artifact registry, the schema contract and the chain-of-custody log.

Nothing here imports a family (phone, drone, voip, media): ``tests/test_architecture.py``
checks it. The old paths (``forensics_lib.times``, ``forensics_lib.evidence``, ...) still
import these very modules: see "Compatibility paths" in ``forensics_lib/__init__.py``.
"""
