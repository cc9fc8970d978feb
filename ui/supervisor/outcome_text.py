"""A bulk reassignment's per-case results, in the supervisor's language."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from ui.directory_names import DirectoryNames
from ui.refusals import refusal_text
from ui.supervisor.batch import CaseOutcome, Stage


def stage_text(stage: Stage) -> str:
    """A short name of where a case stands."""
    match stage:
        case Stage.QUEUED:
            return QCoreApplication.translate("ReassignOutcome", "Saved here, waiting to sync")
        case Stage.REFUSED_HERE:
            return QCoreApplication.translate("ReassignOutcome", "Refused here")
        case Stage.UNCHANGED:
            return QCoreApplication.translate("ReassignOutcome", "No change needed")
        case Stage.APPLIED:
            return QCoreApplication.translate("ReassignOutcome", "Applied on the server")
        case Stage.CONFLICT:
            return QCoreApplication.translate("ReassignOutcome", "Conflict")
        case Stage.REJECTED:
            return QCoreApplication.translate("ReassignOutcome", "Rejected by the server")
        case Stage.MISSING:
            return QCoreApplication.translate("ReassignOutcome", "No longer on this computer")
    return str(stage)


def outcome_text(outcome: CaseOutcome, names: DirectoryNames) -> str:
    """The result of one case, with the reason when it did not go through."""
    match outcome.stage:
        case Stage.REFUSED_HERE | Stage.REJECTED:
            return QCoreApplication.translate("ReassignOutcome", "{stage}: {reason}").format(
                stage=stage_text(outcome.stage),
                reason=refusal_text(outcome.code, outcome.details),
            )
        case Stage.CONFLICT:
            current = outcome.details.get("current")
            by = outcome.details.get("by")
            if isinstance(by, str) and by:
                holder = names.operator(current) if isinstance(current, str) else ""
                return QCoreApplication.translate(
                    "ReassignOutcome", "Conflict: {by} reassigned it first (now: {holder})"
                ).format(
                    by=names.operator(by),
                    holder=holder or QCoreApplication.translate("ReassignOutcome", "nobody"),
                )
            return QCoreApplication.translate("ReassignOutcome", "{stage}: {reason}").format(
                stage=stage_text(outcome.stage),
                reason=refusal_text(outcome.code, outcome.details),
            )
        case Stage.UNCHANGED:
            return QCoreApplication.translate(
                "ReassignOutcome", "No change needed: already assigned so"
            )
    return stage_text(outcome.stage)
