"""Seeded generators of synthetic, format-faithful evidence and their answer keys.

Imported as ``forensics_datasets`` (the folder is ``datasets/`` in the kit). No real
person's data: see ``datasets/README.md`` for the synthetic identity rules.
"""

from forensics_datasets.demo import DemoCase, make_demo_case

__all__ = ["DemoCase", "make_demo_case"]
