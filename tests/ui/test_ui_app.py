"""The entry point and the main window: command line, clean start and stop, live language."""

from __future__ import annotations

import gc
import logging
import os
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from tests.ui.a11y import assert_accessible, assert_tab_order
from ui.app import main
from ui.data_lock import LOCK_FILE, DataFolderLock
from ui.garbage_collection import THRESHOLDS
from ui.language import LanguageSwitcher
from ui.main_window import MainWindow, desk_version
from ui.settings import LANGUAGE, WINDOW_GEOMETRY, Settings

WAIT_MS = 3000


def test_version_prints_and_exits_without_a_gui() -> None:
    script = Path(sysconfig.get_path("scripts")) / (
        "operator-app" + (".exe" if os.name == "nt" else "")
    )
    # A QApplication on this platform would abort the process: --version must not create one.
    env = {**os.environ, "QT_QPA_PLATFORM": "no-such-platform"}
    result = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"operator-app {desk_version()}\n"


def test_main_starts_and_quits_cleanly(qtbot: QtBot, tmp_path: Path) -> None:
    assert main(["--quit-after", "100", "--data-dir", str(tmp_path)]) == 0
    log = (tmp_path / "logs" / "operator-desk.log").read_text(encoding="utf-8")
    assert "starting" in log and "stopped (status 0)" in log
    assert "Asking for a sign-in" in log  # without --demo the sign-in dialog comes first
    # main() takes back what it installed into the shared application...
    assert QCoreApplication.translate("MainWindow", "Ready") == "Ready"
    # ...and leaves no Quit event behind: processed outside any loop, it would make every later
    # event loop (qtbot's waits included) return at once.
    QCoreApplication.processEvents()
    timer = QTimer()
    timer.setSingleShot(True)
    with qtbot.waitSignal(timer.timeout, timeout=WAIT_MS):
        timer.start(10)


def test_the_event_loop_runs_with_the_tuned_garbage_collector_and_gives_it_back(
    tmp_path: Path,
) -> None:
    # Full collections stalled the window for 85-180 ms each during a first sync.
    before = gc.get_threshold()
    during: list[tuple[int, int, int]] = []
    QTimer.singleShot(0, lambda: during.append(gc.get_threshold()))
    assert main(["--quit-after", "100", "--data-dir", str(tmp_path)]) == 0
    assert during == [THRESHOLDS]
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_main_remembers_the_language_given(tmp_path: Path, qapp: QApplication) -> None:
    assert main(["--lang", "en", "--quit-after", "0", "--data-dir", str(tmp_path)]) == 0
    assert Settings.open(tmp_path / "settings" / "operator-desk.ini").get(LANGUAGE) == "en"


def test_a_failed_start_is_reported_not_silent(
    tmp_path: Path,
    qapp: QApplication,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A data folder the desk cannot use is the user's to fix: a sentence, not a traceback.
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("a file where the data folder should be", encoding="utf-8")
    shown: list[str] = []

    def look() -> None:
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
        if boxes and boxes[0].isVisible():
            shown.append(boxes[0].text())

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(look)
    timer.start()
    with caplog.at_level(logging.ERROR):
        status = main(["--lang", "en", "--data-dir", str(not_a_folder), "--quit-after", "200"])
    timer.stop()
    assert status == 1
    assert shown and "cannot use its data folder" in shown[0] and str(not_a_folder) in shown[0]
    assert "Traceback" not in shown[0]
    err = capsys.readouterr().err
    assert "cannot use its data folder" in err and "Traceback" not in err
    assert not [r for r in caplog.records if r.name == "ui.crash"]  # not reported as a crash
    assert any("data folder" in r.getMessage() for r in caplog.records)


def test_bad_command_line_values_get_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    cases = (
        (["--server", "not a url"], "argument --server: the server address must look like"),
        (["--server", "ftp://host"], "argument --server: the server address must look like"),
        (["--server", "http://central.example.mn"], "plain http is only allowed to this"),
        (["--server", "https://op:hunter2-secret@central.example.mn"], "must not contain"),
        (["--quit-after", "soon"], "argument --quit-after: not a whole number"),
        (["--demo", "--server", "https://central.example.mn"], "do not go together"),
    )
    for argv, said in cases:
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert said in err, err
        assert "hunter2" not in err  # a password typed into the address is never echoed


def test_main_refuses_an_unknown_language(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--lang", "fr"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


# --- the main window ------------------------------------------------------------------------


@pytest.fixture
def window(qtbot: QtBot, settings: Settings, languages: LanguageSwitcher) -> MainWindow:
    languages.switch("mn")
    main_window = MainWindow(settings, languages)
    qtbot.addWidget(main_window)
    main_window.show()
    return main_window


def _language_action(window: MainWindow, name: str) -> QAction:
    return next(a for a in window.findChildren(QAction) if a.text() == name)


def test_the_language_menu_switches_the_window_live(
    qtbot: QtBot, window: MainWindow, settings: Settings
) -> None:
    assert window.windowTitle() == "Операторын ажлын байр"
    assert _language_action(window, "Монгол").isChecked()

    _language_action(window, "English").trigger()
    qtbot.waitUntil(lambda: window.windowTitle() == "Operator desk", timeout=WAIT_MS)
    assert window.statusBar().currentMessage() == "Ready"
    assert settings.get(LANGUAGE) == "en"
    assert _language_action(window, "English").isChecked()

    _language_action(window, "Монгол").trigger()
    qtbot.waitUntil(lambda: window.windowTitle() == "Операторын ажлын байр", timeout=WAIT_MS)
    assert window.menuBar().actions()[0].text() == "&Файл"
    assert settings.get(LANGUAGE) == "mn"


def test_menus_are_translated_and_quit_uses_the_standard_key(window: MainWindow) -> None:
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&Файл", "&Харагдац", "Хэ&л", "&Тусламж"]
    quit_action = window.menuBar().actions()[0].menu().actions()[0]
    assert quit_action.text() == "&Гарах"
    assert quit_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Quit)


def test_a_notice_is_retranslated_too(
    qtbot: QtBot, window: MainWindow, languages: LanguageSwitcher
) -> None:
    window.show_notice(window.server_not_built_notice("https://central.example.mn"))
    assert window.statusBar().currentMessage().startswith("https://central.example.mn руу")
    languages.switch("en")
    qtbot.waitUntil(
        lambda: (
            window.statusBar().currentMessage()
            == "Connecting to https://central.example.mn is not built yet."
        ),
        timeout=WAIT_MS,
    )


def test_about_shows_the_version(qtbot: QtBot, window: MainWindow) -> None:
    window.show_about()
    box = window.findChild(QMessageBox)
    qtbot.waitUntil(box.isVisible, timeout=WAIT_MS)
    assert box.text() == f"Операторын ажлын байр {desk_version()}"
    box.close()


def test_closing_saves_the_geometry(window: MainWindow, settings: Settings) -> None:
    window.close()
    assert settings.get(WINDOW_GEOMETRY)


def test_the_main_window_is_accessible(window: MainWindow) -> None:
    assert_accessible(window)
    window.menuBar().actions()[0].menu().actions()[0].setText("")  # a menu entry with no name
    with pytest.raises(AssertionError, match="has no text"):
        assert_accessible(window)


def test_the_accessibility_helper_finds_unnamed_controls(qtbot: QtBot) -> None:
    form = QWidget()
    qtbot.addWidget(form)
    name_edit = QLineEdit(form)
    with pytest.raises(AssertionError, match="no accessible name"):
        assert_accessible(form)
    label = QLabel("&Phone:", form)
    label.setBuddy(name_edit)
    ok = QPushButton("OK", form)
    assert set(assert_accessible(form)) == {name_edit, ok}


def test_the_tab_order_helper_notices_a_wrong_order(qtbot: QtBot) -> None:
    form = QWidget()
    qtbot.addWidget(form)
    first, second, third = QLineEdit(form), QLineEdit(form), QLineEdit(form)
    assert_tab_order(form, [first, second, third])
    QWidget.setTabOrder(third, second)  # now first, third, second
    with pytest.raises(AssertionError, match="Tab order"):
        assert_tab_order(form, [first, second, third])


# --- one desk per data folder ------------------------------------------------------------------

HOLD_LOCK = """
import sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication
from ui.data_lock import DataFolderLock
app = QCoreApplication([])
lock = DataFolderLock(Path(sys.argv[1]))
print("locked" if lock.acquire() else "refused", flush=True)
sys.stdin.read()  # held until the test closes stdin or kills this process
"""


@pytest.fixture
def held_folder(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    """A data folder locked by another running process (as a desk open on it holds it)."""
    folder = tmp_path / "data"
    folder.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    yield folder, holder
    if holder.poll() is None:
        holder.kill()
    holder.wait(timeout=60)
    holder.stdout.close()
    if holder.stdin is not None:
        holder.stdin.close()


def _message_boxes_shown() -> tuple[list[str], QTimer]:
    """The texts of the message boxes shown from now on (watched from the event loop)."""
    shown: list[str] = []

    def look() -> None:
        for box in QApplication.topLevelWidgets():
            if isinstance(box, QMessageBox) and box.isVisible() and box.text() not in shown:
                shown.append(box.text())

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(look)
    timer.start()
    return shown, timer


@pytest.mark.parametrize("mode", [["--demo"], []], ids=["demo", "sign-in"])
def test_a_second_desk_on_one_data_folder_is_refused_clearly(
    held_folder: tuple[Path, subprocess.Popen[str]],
    qapp: QApplication,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    mode: list[str],
) -> None:
    # Were the folder not refused, a small demo (it is, so nothing is seeded at all).
    monkeypatch.setenv("OPERATOR_DESK_KEYRING", "memory")
    monkeypatch.setenv("OPERATOR_DESK_DEMO_CASES", "300")
    folder, holder = held_folder
    shown, timer = _message_boxes_shown()
    status = main([*mode, "--lang", "en", "--data-dir", str(folder), "--quit-after", "200"])
    timer.stop()
    assert status != 0
    assert shown and "already open with the data folder" in shown[0] and str(folder) in shown[0]
    err = capsys.readouterr().err
    assert "already open with the data folder" in err and f"(process {holder.pid})" in err
    # Nothing of the folder was touched: no demo service, no cache, no log of its own.
    assert not (folder / "demo").exists()
    assert not list((folder / "cache").iterdir())
    assert not (folder / "logs" / "operator-desk.log").exists()


def test_the_refusal_speaks_the_language_of_the_desk_already_open(
    held_folder: tuple[Path, subprocess.Popen[str]], qapp: QApplication
) -> None:
    folder, _holder = held_folder
    Settings.open(folder / "settings" / "operator-desk.ini").set(LANGUAGE, "mn")
    shown, timer = _message_boxes_shown()
    assert main(["--data-dir", str(folder), "--quit-after", "200"]) != 0
    timer.stop()
    assert shown and "аль хэдийн нээлттэй" in shown[0]


def test_operator_app_refuses_a_folder_in_use_and_exits_with_a_failure(
    held_folder: tuple[Path, subprocess.Popen[str]],
) -> None:
    folder, _holder = held_folder
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "OPERATOR_DESK_KEYRING": "memory",
        "OPERATOR_DESK_DEMO_CASES": "300",
    }
    script = Path(sysconfig.get_path("scripts")) / (
        "operator-app" + (".exe" if os.name == "nt" else "")
    )
    result = subprocess.run(
        [str(script), "--demo", "--lang", "en", "--data-dir", str(folder), "--quit-after", "0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode != 0
    assert "already open with the data folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_lock_left_by_a_dead_desk_does_not_block_and_the_lock_goes_at_exit(
    held_folder: tuple[Path, subprocess.Popen[str]], qapp: QApplication
) -> None:
    folder, holder = held_folder
    holder.kill()  # SIGKILL: its lock file stays behind
    holder.wait(timeout=60)
    assert (folder / LOCK_FILE).exists()
    assert main(["--lang", "en", "--data-dir", str(folder), "--quit-after", "0"]) == 0
    # Released at exit: the next desk (here, this process again) gets the folder.
    again = DataFolderLock(folder)
    assert again.acquire()
    again.release()
