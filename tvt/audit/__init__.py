"""``tvt audit``: PE-fidelity, consistency, safety and diversity audit of a native dataset.

The rules are data (``seeds/audit/rules.json``); docs/audit.md defines every check, its clinical
source, its rule and its blind spots.
"""
