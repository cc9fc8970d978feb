"""Regression guard for a PySide6 bug that kills the desktop client.

PySide6 6.12.0 on CPython 3.11 drops a reference to ``None`` on every Qt call that returns
nothing. ``None``'s reference count runs down, and after a few thousand such calls the interpreter
aborts with ``Fatal Python error: none_dealloc``. PySide6 6.11.3 on 3.11, and 6.12.0 on 3.12+
(where ``None`` is immortal), are fine. ``pyproject.toml`` excludes the bad combination; these
tests fail loudly if it comes back, whether through the installed packages or the markers.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
BAD_PYSIDE = Version("6.12.0")
PYSIDE_NAMES = {"pyside6", "pyside6-essentials"}
CALLS = 10_000

# Runs in a child process: if the bug is present the child aborts, and must not take pytest down.
_CHILD = textwrap.dedent(
    f"""
    import json, sys
    from PySide6.QtWidgets import QApplication, QLabel

    app = QApplication([])
    label = QLabel()
    before = sys.getrefcount(None)
    for _ in range({CALLS}):
        label.setText("x")          # one widget, many calls returning nothing
    after = sys.getrefcount(None)
    for _ in range({CALLS}):
        QLabel().setText("x")       # fresh widgets, created and destroyed
    print(json.dumps({{"none_refcount_drift": after - before}}))
    """
)


def _installed_pyside_version() -> tuple[str, Version]:
    for dist in ("PySide6-Essentials", "PySide6"):
        try:
            return dist, Version(importlib.metadata.version(dist))
        except importlib.metadata.PackageNotFoundError:
            continue
    pytest.fail("neither PySide6-Essentials nor PySide6 is installed (pip install -e '.[dev]')")


def test_qt_calls_returning_nothing_do_not_exhaust_none() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    details = f"exit status {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert "none_dealloc" not in proc.stderr, (
        "PySide6 leaks references to None (Fatal Python error: none_dealloc): "
        f"this PySide6/Python combination is broken.\n{details}"
    )
    assert proc.returncode == 0, f"the Qt call loop did not finish cleanly.\n{details}"
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    # Without the bug the drift is 0 (or tiny); with it, about -CALLS. On 3.12+ None is immortal.
    assert abs(result["none_refcount_drift"]) < CALLS // 10, (
        f"None's reference count moved by {result['none_refcount_drift']} over {CALLS} "
        f"QLabel.setText() calls: PySide6 is leaking references to None.\n{details}"
    )


def test_installed_pyside_is_not_the_broken_combination() -> None:
    dist, version = _installed_pyside_version()
    python = ".".join(map(str, sys.version_info[:3]))
    assert not (version == BAD_PYSIDE and sys.version_info < (3, 12)), (
        f"{dist} {version} is installed on Python {python}: this combination aborts with "
        "'Fatal Python error: none_dealloc' after a few thousand Qt calls. Install PySide6 "
        "6.11.3 on Python 3.11 (pip install 'PySide6-Essentials==6.11.3'), or use Python 3.12+."
    )


def _pyside_requirements() -> list[Requirement]:
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    specs = list(project.get("dependencies", []))
    for group in project.get("optional-dependencies", {}).values():
        specs.extend(group)
    reqs = [Requirement(spec) for spec in specs]
    return [r for r in reqs if canonicalize_name(r.name) in PYSIDE_NAMES]


def _applies(req: Requirement, python_version: str) -> bool:
    if req.marker is None:
        return True
    env = {"python_version": python_version, "python_full_version": f"{python_version}.0"}
    return req.marker.evaluate(env)


@pytest.mark.parametrize("python_version", ["3.11"])
def test_pyproject_excludes_broken_pyside_on_old_python(python_version: str) -> None:
    reqs = [r for r in _pyside_requirements() if _applies(r, python_version)]
    assert reqs, f"pyproject.toml declares no PySide6 dependency for Python {python_version}"
    for req in reqs:
        assert not req.specifier.contains(BAD_PYSIDE, prereleases=True), (
            f"pyproject.toml allows PySide6 {BAD_PYSIDE} on Python {python_version} through "
            f"'{req}': that combination aborts with 'Fatal Python error: none_dealloc'. "
            f"Add '!={BAD_PYSIDE}' for python_version < '3.12'."
        )


@pytest.mark.parametrize("python_version", ["3.12", "3.13"])
def test_pyproject_still_requires_pyside_on_newer_python(python_version: str) -> None:
    reqs = [r for r in _pyside_requirements() if _applies(r, python_version)]
    assert reqs, f"pyproject.toml declares no PySide6 dependency for Python {python_version}"
