"""Atomic operations and optimizer steps, one row per op holding every fact of it.

base (the row classes), conventions (kinks and ties), elementwise, elementary, matrix and vector
(the rows), table (the rows by name, spellings, ``rule_for``), updates (optimizer steps).
Import the module you use: ``from symdl.ops import table``.
"""
