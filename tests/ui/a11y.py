"""Accessibility checks for windows and dialogs, for pytest-qt tests.

    from tests.ui.a11y import assert_accessible, assert_tab_order

`assert_accessible(window)` fails when a control the keyboard can reach has no name a screen
reader could speak: an accessible name, a label whose buddy it is, or its own visible text (a
button's). Menus count too: every entry reached from a menu bar needs a text.
`assert_tab_order(window, [a, b, c])` fails unless Tab visits those controls in that order.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QMenuBar, QWidget


def _reachable(widget: QWidget, root: QWidget) -> bool:
    """Tab can land on it: enabled, shown (or shown once `root` is), and not delegating focus."""
    return (
        bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
        and widget.isEnabled()
        and (widget is root or widget.isVisibleTo(root))
        and widget.focusProxy() is None
    )


def focusable_widgets(root: QWidget) -> list[QWidget]:
    """The controls of `root` that the keyboard can reach."""
    return [w for w in [root, *root.findChildren(QWidget)] if _reachable(w, root)]


def spoken_name(widget: QWidget, root: QWidget) -> str:
    """What a screen reader would announce for `widget`: "" when nothing."""
    if widget.accessibleName().strip():
        return widget.accessibleName().strip()
    for label in root.findChildren(QLabel):
        if label.buddy() is widget and label.text().replace("&", "").strip():
            return label.text().replace("&", "").strip()
    if isinstance(widget, QAbstractButton):
        return widget.text().replace("&", "").strip()
    if isinstance(widget, QGroupBox):
        return widget.title().replace("&", "").strip()
    return ""


def assert_accessible(root: QWidget) -> list[QWidget]:
    """Fail listing every unnamed reachable control or menu entry; return the controls checked."""
    problems = []
    checked = focusable_widgets(root)
    for widget in checked:
        if not spoken_name(widget, root):
            name = widget.objectName() or type(widget).__name__
            problems.append(f"{name} can take focus but has no accessible name, label or text")
    for bar in root.findChildren(QMenuBar):
        problems += _menu_problems(bar.actions(), "the menu bar")
    assert not problems, "\n".join(problems)
    return checked


def _menu_problems(actions: Sequence[QAction], where: str) -> list[str]:
    """Entries reachable from a menu bar (Alt, then arrows) that would be announced blank."""
    problems = []
    for action in actions:
        if action.isSeparator() or not action.isVisible():
            continue
        text = action.text().replace("&", "").strip()
        if not text:
            problems.append(f"an entry of {where} has no text")
        if action.menu() is not None:
            problems += _menu_problems(action.menu().actions(), f"menu {text!r}")
    return problems


def focus_chain(root: QWidget) -> list[QWidget]:
    """The reachable controls of `root` in the order Tab visits them."""
    chain = []
    widget = root.nextInFocusChain()
    while widget is not None and widget is not root and widget not in chain:
        if _reachable(widget, root) and root.isAncestorOf(widget):
            chain.append(widget)
        widget = widget.nextInFocusChain()
    return chain


def assert_tab_order(root: QWidget, expected: Sequence[QWidget]) -> None:
    """Fail unless Tab reaches every widget of `expected`, in that order."""
    chain = focus_chain(root)
    missing = [w for w in expected if w not in chain]
    assert not missing, f"not reachable with Tab: {missing}"
    order = [w for w in chain if w in expected]
    assert order == list(expected), f"Tab order is {order}, expected {list(expected)}"
