"""Shipped resources: reference data (data/*.json), icons and style sheets."""
