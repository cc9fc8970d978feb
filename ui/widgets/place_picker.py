"""The place of a case: aimag (or the capital), soum (or district), bag (or khoroo), typed ahead."""

from __future__ import annotations

from collections import defaultdict
from functools import cache

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QWidget

from operator_app.domain.translit import to_latin
from operator_app.reference import AdminUnit, admin_unit_path, admin_units
from ui.labels import unit_name
from ui.retranslate import Retranslatable
from ui.widgets.type_ahead import Choice, TypeAheadCombo

CAPITAL = "11"  # Ulaanbaatar: districts and khoroos rather than soums and bags


@cache
def _children() -> dict[str | None, tuple[AdminUnit, ...]]:
    out: dict[str | None, list[AdminUnit]] = defaultdict(list)
    for unit in admin_units():
        out[unit.parent].append(unit)
    return {
        parent: tuple(sorted(units, key=lambda u: u.name.strip())) for parent, units in out.items()
    }


def _choices(parent: str | None) -> list[Choice]:
    # Both scripts answer: "darkhan" finds Дархан-Уул whichever language the desk shows.
    return [
        Choice(u.code, unit_name(u.name), f"{u.name} {to_latin(u.name)}")
        for u in _children().get(parent, ())
    ]


class PlacePicker(Retranslatable, QWidget):
    """Three cascading type-ahead drop-downs; the value is the deepest unit chosen."""

    value_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PlacePicker")
        self.aimag = TypeAheadCombo(self)
        self.soum = TypeAheadCombo(self)
        self.bag = TypeAheadCombo(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for combo in (self.aimag, self.soum, self.bag):
            layout.addWidget(combo, 1)
        self.setTabOrder(self.aimag, self.soum)
        self.setTabOrder(self.soum, self.bag)
        self._value = ""
        self.aimag.value_changed.connect(self._aimag_chosen)
        self.soum.value_changed.connect(self._soum_chosen)
        self.bag.value_changed.connect(self._announce)
        self.aimag.set_choices(_choices(None))
        self._aimag_chosen("")
        self._soum_chosen("")
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        capital = self.aimag.value() == CAPITAL
        self.aimag.lineEdit().setPlaceholderText(self.tr("Aimag or the capital"))
        self.aimag.setAccessibleName(self.tr("Aimag or the capital"))
        if capital:
            self.soum.lineEdit().setPlaceholderText(self.tr("District"))
            self.soum.setAccessibleName(self.tr("District"))
            self.bag.lineEdit().setPlaceholderText(self.tr("Khoroo"))
            self.bag.setAccessibleName(self.tr("Khoroo"))
        else:
            self.soum.lineEdit().setPlaceholderText(self.tr("Soum"))
            self.soum.setAccessibleName(self.tr("Soum"))
            self.bag.lineEdit().setPlaceholderText(self.tr("Bag"))
            self.bag.setAccessibleName(self.tr("Bag"))
        # Names follow the script of the interface (Latin in English).
        for combo, parent in (
            (self.aimag, None),
            (self.soum, self.aimag.value() or "-"),
            (self.bag, self.soum.value() or "-"),
        ):
            combo.set_choices(_choices(parent))

    def value(self) -> str:
        """The code of the deepest unit chosen; "" when none."""
        return self.bag.value() or self.soum.value() or self.aimag.value()

    def set_value(self, code: str | None) -> None:
        path = admin_unit_path(code)
        self.aimag.set_value(path[0].code if path else "")
        self.soum.set_value(path[1].code if len(path) > 1 else "")
        self.bag.set_value(path[2].code if len(path) > 2 else "")
        self._announce()

    def resolve(self) -> str:
        """Settle any typed text on the units it names; the value."""
        self.aimag.resolve()
        self.soum.resolve()
        self.bag.resolve()
        return self.value()

    @Slot(str)
    def _aimag_chosen(self, code: str) -> None:
        self.soum.set_choices(_choices(code) if code else [], keep=False)
        self.soum.setEnabled(bool(code))
        if not code:
            self._soum_chosen("")
        self.retranslate_ui()
        self._announce()

    @Slot(str)
    def _soum_chosen(self, code: str) -> None:
        self.bag.set_choices(_choices(code) if code else [], keep=False)
        self.bag.setEnabled(bool(code))
        self._announce()

    @Slot()
    def _announce(self) -> None:
        value = self.value()
        if value != self._value:
            self._value = value
            self.value_changed.emit(value)
