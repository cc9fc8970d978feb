"""The JSON the store writes: compact UTF-8, the same text whichever encoder wrote it."""

from __future__ import annotations

import json

from operator_app.store.local_view import dumps, loads


def test_stored_json_is_compact_utf8():
    value = {"subject": "Байрны халаалт", "n": [1, 2.5, None, True], "nested": {"a": ""}}
    text = dumps(value)
    assert text == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert "\\u" not in text
    assert loads(text) == value


def test_what_orjson_refuses_goes_through_the_standard_encoder():
    value = {"big": 2**70, "keys": {1: "нэг"}}
    assert dumps(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert json.loads(dumps(value)) == {"big": 2**70, "keys": {"1": "нэг"}}
