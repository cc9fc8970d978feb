"""Tests of the central service (run on SQLite and PostgreSQL)."""
