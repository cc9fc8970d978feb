"""Fault-injection tooling for the sync tests: a loopback proxy and a scriptable HTTP stub."""
