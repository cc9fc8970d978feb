"""The layering: the core imports no Qt, no HTTP, no database stack; the import contracts hold."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_PREFIXES = ("PySide6", "shiboken6", "requests", "sqlalchemy", "fastapi", "keyring")
CORE_MODULES = [
    "operator_app",
    "operator_app.domain.deadlines",
    "operator_app.domain.errors",
    "operator_app.domain.identifiers",
    "operator_app.domain.model",
    "operator_app.domain.mutations",
    "operator_app.domain.mutators",
    "operator_app.domain.permissions",
    "operator_app.domain.records",
    "operator_app.domain.translit",
    "operator_app.domain.workflow",
    "operator_app.reference",
    "operator_app.synthetic",
]


def test_the_core_imports_none_of_the_heavy_stacks() -> None:
    """In a fresh interpreter: import the core (and the store, if it exists) and list what came
    along. A subprocess, because this test process already has PySide6 loaded by pytest-qt."""
    modules = list(CORE_MODULES)
    if (ROOT / "operator_app" / "store").is_dir():
        modules.append("operator_app.store")
    script = textwrap.dedent(
        f"""
        import importlib, json, sys
        for name in {modules!r}:
            importlib.import_module(name)
        print(json.dumps(sorted(sys.modules)))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout)
    assert set(modules) <= set(loaded)
    offenders = sorted(name for name in loaded if name.startswith(FORBIDDEN_PREFIXES))
    assert offenders == []


def test_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    assert lint_imports.is_file(), f"{lint_imports} is missing: install the dev extras"
    proc = subprocess.run(
        [str(lint_imports), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
