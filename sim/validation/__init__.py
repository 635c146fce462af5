"""Validation: mechanisms checked against published results (docs/VALIDATION.md)."""
