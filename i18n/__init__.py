"""Translations of the desk: .ts sources, compiled .qm catalogs, and Babel formatting.

Qt-free on purpose: `formatting` works headless (tests, tools), and `update` only runs the
PySide6 command-line tools. Installing catalogs into a running app is `ui.language`'s job.
"""
