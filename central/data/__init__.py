"""The central service's data layer: tables and every SQL statement (always bound parameters)."""
