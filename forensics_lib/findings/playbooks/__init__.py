"""Playbooks: the questions of one kind of case, answered from its exhibits.

One module per scenario (:mod:`~forensics_lib.findings.playbooks.drone_drop`); each builds
:class:`~forensics_lib.findings.model.Finding` objects from a
:class:`~forensics_lib.case.Case` and knows nothing of the others.
"""
