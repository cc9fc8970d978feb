"""The PySide6 desktop: the only package that imports Qt.

Foundation modules: `app` (entry point), `main_window`, `bridge` (worker threads to the GUI
thread), `settings`, `paths`, `logs`, `crash`, `language` and `retranslate` (run-time language
switching).
"""
