"""Pull cursors: opaque to the desk, signed by the server (SYNC.md, "Endpoints").

A cursor holds the epoch, a sequence number with its commit tag, a hash of the caller's scope
and the schema version; during a first sync it also holds the last case id sent.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass

_SIGNATURE_BYTES = 16


@dataclass(frozen=True, slots=True)
class CursorState:
    epoch: int
    seq: int  # changes up to here are delivered (for a snapshot: the recorded sequence)
    tag: str  # the commit tag of `seq`, to recognise a restored database
    scope: str
    schema: int
    snapshot_after: str | None = None  # a first sync in progress: the last case id sent

    @property
    def in_snapshot(self) -> bool:
        return self.snapshot_after is not None


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(secret, payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def encode_cursor(state: CursorState, secret: bytes) -> str:
    body = {"e": state.epoch, "s": state.seq, "t": state.tag, "h": state.scope, "v": state.schema}
    if state.snapshot_after is not None:
        body["a"] = state.snapshot_after
    payload = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
    return f"{_b64(payload)}.{_b64(_sign(secret, payload))}"


def decode_cursor(text: str, secret: bytes) -> CursorState | None:
    """The cursor's contents, or None if it is malformed or not signed with `secret`."""
    head, dot, signature = text.partition(".")
    if not dot or len(text) > 4096:
        return None
    try:
        payload = _unb64(head)
        given = _unb64(signature)
    except (binascii.Error, ValueError):
        return None
    if not hmac.compare_digest(given, _sign(secret, payload)):
        return None
    try:
        body = json.loads(payload)
        state = CursorState(
            epoch=body["e"],
            seq=body["s"],
            tag=body["t"],
            scope=body["h"],
            schema=body["v"],
            snapshot_after=body.get("a"),
        )
    except (ValueError, KeyError, TypeError):
        return None
    if not all(isinstance(v, int) for v in (state.epoch, state.seq, state.schema)):
        return None
    if not (isinstance(state.tag, str) and isinstance(state.scope, str)):
        return None
    if state.snapshot_after is not None and not isinstance(state.snapshot_after, str):
        return None
    return state
