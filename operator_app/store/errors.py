"""The store's own errors: what a caller can act on, each with a message a person can read."""

from __future__ import annotations


class StoreError(Exception):
    """Base of the store's errors."""


class NewerSchemaError(StoreError):
    """The cache file was written by a newer version of the desk; this version must not touch it."""


class PageError(StoreError):
    """A pulled page is malformed; nothing of it was applied."""


class StoreClosedError(StoreError):
    """The store was closed; no more work is accepted."""
