"""The unified case queue: a table model over an ordered snapshot of case ids (Anki's browser
DataModel), its view, the filter bar and the colour legend."""
