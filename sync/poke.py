"""The long poll: wait for the server to say something changed in this desk's scope.

While the desk is online, a thread of its own keeps one `GET /sync/poke?cursor=...` open; when
it answers "changed", the engine pulls. While the desk is offline it probes `GET /health`
every few seconds instead, and reports the link's return, so the desk syncs on reconnect
without waiting for its backoff to run out.

A long poll cannot be interrupted from outside once sent: `stop()` waits briefly and leaves
the daemon thread to end when its poll answers (at most the poll's timeout; at once if the
server shuts down, which wakes every poll).
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable

from operator_app.store import StoreClosedError
from sync.backoff import full_jitter_delay
from sync.errors import RequestTimeout, TransportError
from sync.link import ServerLink, parse_answer
from sync.protocol import DEFAULT_POKE_TIMEOUT_S, PokeResponse

POKE_PATH = "/sync/poke"
HEALTH_PATH = "/health"
# Beyond the poll's own timeout: time for the server to answer and the answer to travel.
POKE_GRACE_S = 15.0
PROBE_DEADLINE_S = 10.0
RECONNECT_PROBE_S = 10.0

_log = logging.getLogger(__name__).getChild("PokeListener")


class CycleCounter:
    """Counts finished sync cycles, so a thread can wait for the next one. Thread-safe."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._count = 0

    @property
    def count(self) -> int:
        with self._cond:
            return self._count

    def finished(self) -> None:
        with self._cond:
            self._count += 1
            self._cond.notify_all()

    def wait_beyond(self, count: int, timeout: float) -> bool:
        """Block until more than `count` cycles have finished; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: self._count > count, timeout)


class PokeListener:
    """The long-poll thread of one desk."""

    def __init__(
        self,
        link: ServerLink,
        *,
        client_id: str,
        cursor: Callable[[], str | None],
        online: threading.Event,
        link_down: threading.Event,
        cycles: CycleCounter,
        on_poke: Callable[[], None],
        on_reachable: Callable[[], None],
        timeout_s: float = DEFAULT_POKE_TIMEOUT_S,
        probe_interval_s: float = RECONNECT_PROBE_S,
        rng: random.Random | None = None,
    ) -> None:
        self._link = link
        self._client_id = client_id
        self._cursor = cursor
        self._online = online
        self._link_down = link_down
        self._cycles = cycles
        self._on_poke = on_poke
        self._on_reachable = on_reachable
        self._timeout_s = timeout_s
        self._probe_interval_s = probe_interval_s
        self._rng = rng or random.Random()
        self._stopped = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"sync-poke-{client_id[:8]}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 0.2) -> None:
        self._stopped.set()
        # A thread in a long poll or an offline probe wait ends on its own (a daemon; it
        # checks the stop before doing anything more).
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        failures = 0
        while not self._stopped.is_set():
            try:
                if not self._online.is_set():
                    self._probe()
                    continue
                failures = 0 if self._poll() else failures + 1
            except StoreClosedError:
                return  # the desk is shutting down
            except Exception:  # a bug here must not end the thread silently
                _log.exception("the long poll failed unexpectedly")
                failures += 1
            if failures:
                self._stopped.wait(full_jitter_delay(min(failures, 6), self._rng, cap=30.0))

    def _poll(self) -> bool:
        """One long poll; False when it failed."""
        cursor = self._cursor()
        seen = self._cycles.count
        if cursor is None:
            # No first sync yet: nothing to wait on until the engine has a cursor.
            self._cycles.wait_beyond(seen, self._probe_interval_s)
            return True
        params: dict[str, str | int] = {
            "cursor": cursor,
            "timeout": round(self._timeout_s),
            "client_id": self._client_id,
        }
        try:
            answer = self._link.get(POKE_PATH, params, deadline=self._timeout_s + POKE_GRACE_S)
            poke = parse_answer(PokeResponse, answer.body, "poke")
        except TransportError as exc:
            if not self._stopped.is_set():
                _log.info("long poll failed (%s)", type(exc).__name__)
            return False
        if poke.changed and not self._stopped.is_set():
            self._on_poke()
            # Asking again before the engine has pulled would only hear the same news.
            self._cycles.wait_beyond(seen, self._timeout_s)
        return True

    def _probe(self) -> None:
        """Offline: look for the link now and then; report it when it is back."""
        delay = self._probe_interval_s * self._rng.uniform(0.5, 1.0)
        # Waiting on `online`: a sync that succeeds meanwhile ends the wait.
        if self._online.wait(delay) or self._stopped.is_set():
            return
        seen = self._cycles.count
        try:
            self._link.get(HEALTH_PATH, authenticated=False, deadline=PROBE_DEADLINE_S)
        except RequestTimeout:
            return  # slow, not gone: no sign that the link was down
        except TransportError:
            self._link_down.set()
            return
        # Only a link that was down and is back is a reconnect, which goes through a backoff
        # at once. A server that answers the probe while its syncs time out is slow, not
        # gone: its backoff stands, or a cycle ran at every probe, seconds apart.
        if self._link_down.is_set() and not self._stopped.is_set():
            self._link_down.clear()
            self._on_reachable()
        self._cycles.wait_beyond(seen, self._probe_interval_s)
