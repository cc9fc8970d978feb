"""A signed-in desk: opening one (sign-in or offline unlock), showing it, and the embedded demo.

- keyrings.py: which keyring holds the desk's secrets (the OS one, or memory when told so);
- desk.py: `DeskOpener` signs in (or unlocks offline) and opens the store and the sync engine,
  Qt-free, on a worker thread; failures are typed for the sign-in dialog to word;
- live.py: `LiveDesk` puts an opened desk on screen and takes it down cleanly;
- first_sync.py, assignments.py: what the sync engine pulls, turned into a progress bar and
  "a case was assigned to you" notifications;
- demo.py: the embedded central service of `operator-app --demo`.
"""
