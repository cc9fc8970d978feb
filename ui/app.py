"""The `operator-app` entry point: command line, QApplication, and the main window."""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, QTimer, qVersion
from PySide6.QtWidgets import QApplication, QMessageBox

from i18n.languages import DEFAULT_LANGUAGE, language_codes
from sync.http import normalize_server_url
from ui.bridge import TaskRunner
from ui.crash import CrashReporter
from ui.data_lock import DataFolderLock
from ui.demo import DemoMode
from ui.garbage_collection import GuiThreadCollector, tune_garbage_collector
from ui.language import LanguageSwitcher
from ui.logs import configure_logging
from ui.main_window import desk_version
from ui.paths import DataPaths, apply_app_identity, default_data_dir, prepare_data_dir
from ui.session.demo import demo_cases
from ui.session.desk import DeskOpener, OpenedDesk
from ui.session.keyrings import desk_keyring
from ui.session.live import LiveDesk
from ui.settings import LANGUAGE, Settings
from ui.signin import SignInDialog

log = logging.getLogger(__name__)

# At exit, how long a sign-in still under way may take to finish (its requests are bounded).
SIGN_IN_WAIT_S = 60.0


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of milliseconds: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {value}")
    return value


def _server_url(text: str) -> str:
    try:
        normalize_server_url(text)
    except ValueError as exc:
        # The reason only, never the value: it may hold a password (https://user:secret@host).
        raise argparse.ArgumentTypeError(
            f"{exc} (type it as https://host[:port], or as http://127.0.0.1:port for a "
            "service on this computer)"
        ) from None
    return text


def build_parser() -> argparse.ArgumentParser:
    # Command-line help stays English: it is read by administrators and scripts, before any
    # catalog is loaded.
    parser = argparse.ArgumentParser(
        prog="operator-app",
        description="The operator desk of the unified citizen call centre.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument(
        "--demo", action="store_true", help="start an embedded demo service and sign in to it"
    )
    parser.add_argument(
        "--server", type=_server_url, metavar="URL", help="the central service to sync with"
    )
    parser.add_argument(
        "--lang",
        choices=language_codes(),
        help="interface language (default: the last one chosen, else mn); remembered",
    )
    parser.add_argument(
        "--data-dir", type=Path, metavar="PATH", help="folder for the cache, logs and settings"
    )
    parser.add_argument(
        "--quit-after",
        type=_non_negative,
        metavar="MS",
        help="quit cleanly MS milliseconds after start (with --demo: after the demo queue "
        "shows; smoke tests)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the desk; the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.demo and args.server:
        parser.error("--server and --demo do not go together: the demo runs its own service")
    if args.version:
        print(f"operator-app {desk_version()}")
        return 0
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication([sys.argv[0]])
    apply_app_identity()
    app.setApplicationVersion(desk_version())
    app.setStyle("Fusion")
    # The crash hook and a language come first, so that even a failed start says why, readably.
    crash = CrashReporter(app)
    crash.install()
    languages = LanguageSwitcher(app)
    languages.switch(args.lang or DEFAULT_LANGUAGE.code)
    logging_setup = None
    folder_lock: DataFolderLock | None = None
    try:
        try:
            paths = prepare_data_dir(args.data_dir)
            # Before the logs: a second desk on this folder must not write into the first's.
            folder_lock = DataFolderLock(paths.root)
            if not folder_lock.acquire():
                if not args.lang:
                    _speak_remembered_language(paths, languages)
                return _folder_in_use(paths, folder_lock, args.quit_after)
            logging_setup = configure_logging(paths.logs_dir)
            settings = Settings.open(paths.settings_file)
        except OSError as exc:
            return _data_folder_failed(args.data_dir, exc, args.quit_after)
        log.info(
            "Operator desk %s starting (Qt %s, PySide6 %s)",
            desk_version(),
            qVersion(),
            pyside_version,
        )
        if args.lang:
            settings.set(LANGUAGE, args.lang)
        elif settings.get(LANGUAGE) != languages.language:
            languages.switch(settings.get(LANGUAGE))
        return _run_window(app, args, paths, settings, languages)
    except Exception:
        crash.report_fatal(sys.exc_info(), close_after_ms=args.quit_after)  # type: ignore[arg-type]
        return 1
    finally:
        crash.uninstall()
        languages.uninstall()
        if logging_setup is not None:
            logging_setup.close()
        if folder_lock is not None:
            folder_lock.release()


def _run_window(
    app: QApplication,
    args: argparse.Namespace,
    paths: DataPaths,
    settings: Settings,
    languages: LanguageSwitcher,
) -> int:
    if args.demo:
        demo = DemoMode(paths, settings, languages, keyring=desk_keyring(), cases=demo_cases())
        if args.quit_after is not None:
            # A smoke test's clock starts once the demo desk shows its queue.
            demo.ready.connect(lambda: QTimer.singleShot(args.quit_after, _quit_all))
        demo.start()
        status = _exec(app, settings, demo.shutdown)
        # A demo that never started is a failed run, however its window was closed.
        return status or (1 if demo.failed else 0)

    runner = TaskRunner()
    opener = DeskOpener(paths.cache_dir, desk_keyring())
    dialog = SignInDialog(opener, runner, settings, server_url=args.server or "")
    desks: list[LiveDesk] = []

    def signed_in(desk: OpenedDesk) -> None:
        live = LiveDesk(desk, settings, languages)
        desks.append(live)
        live.start()

    def shutdown() -> None:
        dialog.finish_abandoned(SIGN_IN_WAIT_S)
        for live in desks:
            live.close()
        runner.shutdown()

    dialog.signed_in.connect(signed_in)
    dialog.rejected.connect(app.quit)
    log.info("Asking for a sign-in")
    dialog.show()
    if args.quit_after is not None:
        QTimer.singleShot(args.quit_after, _quit_all)
    return _exec(app, settings, shutdown)


def _data_folder_failed(folder: Path | None, exc: OSError, close_after_ms: int | None) -> int:
    """A data folder the desk cannot use: a plain sentence, not a traceback; the status."""
    # No traceback: nothing is wrong with the desk, and the log may be what cannot be written.
    log.error("The data folder cannot be used: %s", exc)
    where = exc.filename or (folder if folder is not None else default_data_dir())
    reason = exc.strerror or type(exc).__name__
    text = QCoreApplication.translate(
        "OperatorApp",
        "The desk cannot use its data folder {path}: {reason}. Choose another folder with "
        "--data-dir, or ask your administrator.",
    ).format(path=str(where), reason=reason)
    print(f"operator-app: {text}", file=sys.stderr)
    return _refuse(text, "DataFolderProblem", QMessageBox.Icon.Critical, close_after_ms)


def _folder_in_use(paths: DataPaths, lock: DataFolderLock, close_after_ms: int | None) -> int:
    """Another desk process runs on this data folder: say so and stop; the status."""
    text = QCoreApplication.translate(
        "OperatorApp",
        "The operator desk is already open with the data folder {path}. Switch to that window, "
        "or close it before starting the desk again. To run a second desk on this computer, "
        "give it another folder with --data-dir.",
    ).format(path=str(paths.root))
    pid = lock.holder()
    print(f"operator-app: {text}" + (f" (process {pid})" if pid else ""), file=sys.stderr)
    return _refuse(text, "DataFolderInUse", QMessageBox.Icon.Warning, close_after_ms)


def _speak_remembered_language(paths: DataPaths, languages: LanguageSwitcher) -> None:
    """The language the desk already open there speaks, read from its settings (only read:
    they are that desk's to write)."""
    stored = QSettings(str(paths.settings_file), QSettings.Format.IniFormat).value(LANGUAGE.key)
    if isinstance(stored, str) and stored in language_codes() and stored != languages.language:
        languages.switch(stored)


def _refuse(text: str, name: str, icon: QMessageBox.Icon, close_after_ms: int | None) -> int:
    """A message box that stops the start (closed by itself after `close_after_ms`); 1."""
    box = QMessageBox(icon, QCoreApplication.translate("OperatorApp", "Operator desk"), text)
    box.setObjectName(name)
    if close_after_ms is not None:
        QTimer.singleShot(close_after_ms, box.reject)  # smoke tests must end, not hang
    box.exec()
    return 1


def _quit_all() -> None:
    QApplication.closeAllWindows()
    QCoreApplication.quit()


def _exec(app: QApplication, settings: Settings, shutdown: Callable[[], None]) -> int:
    # Start-up is built: full collections during a first sync would stall the window
    # (ui/garbage_collection.py); the old settings come back for whatever runs after.
    previous = tune_garbage_collector()
    collector = GuiThreadCollector()  # widgets in cycles are freed on this thread only
    collector.start()
    try:
        status = app.exec()
    finally:
        collector.stop()
        gc.set_threshold(*previous)
        gc.unfreeze()
        # Closing the last window and quit() each post a Quit event; one left in the queue
        # would end the next event loop run in this process (a test's, or a second main()).
        QCoreApplication.removePostedEvents(app, QEvent.Type.Quit)
        shutdown()
        settings.sync()
    log.info("Operator desk stopped (status %d)", status)
    return status


if __name__ == "__main__":
    sys.exit(main())
