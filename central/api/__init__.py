"""The HTTP endpoints, one router per area, all under /api/v1 (SYNC.md, "Endpoints")."""
