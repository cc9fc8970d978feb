"""The small dialogs behind the case view's actions; each builds one mutation, or says why not."""
