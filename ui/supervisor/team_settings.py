"""A team's auto-assignment on the central service: the mode, a per-operator cap, and skills.

Loaded and saved on the query pool; nothing is kept locally (the server decides assignments).
Skills are typed as comma-separated codes: case types, languages, region (aimag) codes.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from operator_app.store import Directory
from sync.errors import AuthExpired, Forbidden, HttpError, ProtocolError, ServerBusy, TransportError
from sync.protocol import ErrorCode
from sync.supervisor import AssignmentMode, Skills, SupervisorApi, TeamAssignment
from ui.bridge import TaskRunner
from ui.directory_names import DirectoryNames
from ui.retranslate import Retranslatable
from ui.widgets.error_label import ERROR_COLOUR

log = logging.getLogger(__name__)
ID_ROLE = Qt.ItemDataRole.UserRole


def _codes(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


class TeamAssignmentDialog(Retranslatable, QDialog):
    """Edit one team's auto-assignment; `saved` carries what the server confirmed."""

    saved = Signal(object)  # TeamAssignment
    loaded = Signal(object)  # TeamAssignment

    def __init__(
        self,
        api: SupervisorApi,
        runner: TaskRunner,
        directory: Directory,
        team_ids: Sequence[str],
        team_id: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("TeamAssignmentDialog")
        self._api = api
        self._runner = runner
        self._directory = directory
        self._names = DirectoryNames(directory)
        self._seq = 0
        self.team_label, self.team = QLabel(self), QComboBox(self)
        self.team.setObjectName("AssignmentTeam")
        for tid in team_ids:
            self.team.addItem(self._names.team(tid), tid)
        if team_id is not None and (i := self.team.findData(team_id)) >= 0:
            self.team.setCurrentIndex(i)
        self.mode_label, self.mode = QLabel(self), QComboBox(self)
        self.mode.setObjectName("AssignmentMode")
        for mode in AssignmentMode:
            self.mode.addItem("", mode.value)
        self.cap_label, self.cap = QLabel(self), QSpinBox(self)
        self.cap.setObjectName("AssignmentCap")
        self.cap.setRange(0, 999)
        self.skills_label = QLabel(self)
        self.skills = QTableWidget(0, 4, self)
        self.skills.setObjectName("AssignmentSkills")
        self.skills.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.skills.setTabKeyNavigation(False)
        self.skills.verticalHeader().hide()
        self.skills.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.skills_label.setBuddy(self.skills)
        form = QFormLayout()
        for label, field in (
            (self.team_label, self.team),
            (self.mode_label, self.mode),
            (self.cap_label, self.cap),
        ):
            label.setBuddy(field)
            form.addRow(label, field)
        self.problem = QLabel(self)
        self.problem.setObjectName("AssignmentProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"QLabel {{ color: {ERROR_COLOUR}; }}")
        self.problem.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.skills_label)
        layout.addWidget(self.skills, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.team.currentIndexChanged.connect(lambda _i: self.load())
        self.setMinimumSize(620, 380)
        self.retranslate_ui()
        self.load()
        self.team.setFocus()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Team auto-assignment"))
        self.team_label.setText(self.tr("&Team:"))
        self.mode_label.setText(self.tr("&New cases go:"))
        modes = {
            AssignmentMode.OFF: self.tr("Not automatically (off)"),
            AssignmentMode.ROUND_ROBIN: self.tr("In turn (round robin)"),
            AssignmentMode.LEAST_LOADED: self.tr("To the least loaded"),
        }
        for i, mode in enumerate(AssignmentMode):
            self.mode.setItemText(i, modes[mode])
        self.cap_label.setText(self.tr("&Most open cases per operator:"))
        self.cap.setSpecialValueText(self.tr("No limit"))
        self.skills_label.setText(self.tr("&Skills (comma-separated codes; empty means any):"))
        self.skills.setAccessibleName(self.tr("Skills per operator"))
        self.skills.setHorizontalHeaderLabels(
            [self.tr("Operator"), self.tr("Case types"), self.tr("Languages"), self.tr("Regions")]
        )

    def team_id(self) -> str:
        return str(self.team.currentData() or "")

    def _members(self, team_id: str) -> list[str]:
        return [
            o.id for o in self._directory.operators if team_id in o.teams and o.role == "operator"
        ]

    @Slot()
    def load(self) -> None:
        team_id = self.team_id()
        if not team_id:
            return
        self._seq += 1
        seq, api = self._seq, self._api
        self.buttons.setEnabled(False)
        self._runner.run_query(
            lambda: api.team_assignment(team_id),
            lambda settings: self._loaded(seq, team_id, settings),
            lambda exc: self._failed(seq, exc, saving=False),
            receiver=self,
        )

    def _loaded(self, seq: int, team_id: str, settings: TeamAssignment) -> None:
        if seq != self._seq:
            return
        self.buttons.setEnabled(True)
        self._show_problem("")
        self.show_settings(team_id, settings)
        self.loaded.emit(settings)

    def show_settings(self, team_id: str, settings: TeamAssignment) -> None:
        self.mode.setCurrentIndex(self.mode.findData(settings.mode.value))
        self.cap.setValue(settings.cap or 0)
        people = self._members(team_id)
        people += [p for p in settings.skills if p not in people]
        self.skills.setRowCount(len(people))
        for r, person in enumerate(people):
            name = QTableWidgetItem(self._names.operator(person))
            name.setData(ID_ROLE, person)
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.skills.setItem(r, 0, name)
            skill = settings.skills.get(person, Skills())
            for c, codes in enumerate((skill.case_types, skill.languages, skill.regions), 1):
                self.skills.setItem(r, c, QTableWidgetItem(", ".join(codes)))

    def settings(self) -> TeamAssignment:
        skills: dict[str, Skills] = {}
        for r in range(self.skills.rowCount()):
            person = str(self.skills.item(r, 0).data(ID_ROLE))
            parts = [
                _codes(self.skills.item(r, c).text() if self.skills.item(r, c) else "")
                for c in (1, 2, 3)
            ]
            skill = Skills(*parts)
            if not skill.empty:
                skills[person] = skill
        cap = self.cap.value() or None
        return TeamAssignment(AssignmentMode(self.mode.currentData()), cap, skills)

    @Slot()
    def save(self) -> None:
        team_id, settings, api = self.team_id(), self.settings(), self._api
        self._seq += 1
        seq = self._seq
        self.buttons.setEnabled(False)
        self._runner.run_query(
            lambda: api.set_team_assignment(team_id, settings),
            lambda confirmed: self._saved(seq, confirmed),
            lambda exc: self._failed(seq, exc, saving=True),
            receiver=self,
        )

    def _saved(self, seq: int, confirmed: TeamAssignment) -> None:
        if seq != self._seq:
            return
        self.buttons.setEnabled(True)
        self.saved.emit(confirmed)
        self.accept()

    def _failed(self, seq: int, exc: BaseException, *, saving: bool) -> None:
        if seq != self._seq:
            return
        # The technical text is for the log; the supervisor reads what to do about it.
        log.info("Team auto-assignment: %s", exc)
        self.buttons.setEnabled(True)
        self._show_problem(self.failure_text(exc, saving=saving))

    def failure_text(self, exc: BaseException, *, saving: bool) -> str:
        """Why the settings could not be read or saved, in the supervisor's language."""
        if isinstance(exc, AuthExpired):
            return self.tr("Your sign-in has expired. Sign in again, then try once more.")
        if isinstance(exc, Forbidden):
            return self.tr("Your role does not allow changing this team's auto-assignment.")
        if isinstance(exc, ServerBusy):
            return self.tr("The central service is busy. Try again in a moment.")
        if isinstance(exc, HttpError):
            if exc.code == ErrorCode.INVALID:
                return self.tr("The central service refused these settings: a value is not valid.")
            if exc.code == ErrorCode.NOT_FOUND:
                return self.tr("The central service no longer knows this team.")
            return self.tr("The central service failed on this request (error {status}).").format(
                status=exc.status
            )
        if isinstance(exc, ProtocolError):
            return self.tr("The central service sent an answer this desk does not understand.")
        if isinstance(exc, TransportError):
            return self.tr("The central service could not be reached. Try again when online.")
        if saving:
            return self.tr("The settings could not be saved.")
        return self.tr("The settings could not be read.")

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))
