"""Reusable widgets: type-ahead drop-downs, the place picker, field error labels, caller panel."""
