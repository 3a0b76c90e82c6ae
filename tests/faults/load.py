"""Client threads for the fault tests: file (and read) reports in a bounded loop while the
test breaks something, and record every answer with the phase it was sent in."""

import dataclasses
import itertools
import threading
import time

from .stack import Lapor


@dataclasses.dataclass
class Answer:
    action: str  # api, key, form, read
    phase: str
    status: int  # 0: no HTTP answer at all
    retry_after: str | None
    tracking: str | None
    number: int = 0
    body: bytes = b""  # kept when the answer is not a success
    seconds: float = 0.0


class Load:
    """``threads`` clients, each repeating its action until stopped, at most ``limit`` times.
    ``phase`` is a label the test moves on (up, down, back); each answer carries the label
    of the moment its request was sent."""

    def __init__(self, lapor: Lapor, actions: list[str], key: str | None = None, limit=300):
        self.lapor, self.actions, self.key, self.limit = lapor, actions, key, limit
        self.phase = "up"
        self.answers: list[Answer] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._numbers = itertools.count(1)
        self._threads = [
            threading.Thread(target=self._run, args=(a,), daemon=True) for a in actions
        ]

    def __enter__(self) -> "Load":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)

    def _run(self, action: str) -> None:
        for _ in range(self.limit):
            if self._stop.is_set():
                return
            phase = self.phase
            started = time.monotonic()
            answer = self._one(action, phase)
            answer.seconds = time.monotonic() - started
            with self._lock:
                self.answers.append(answer)
            time.sleep(0.02)

    def _one(self, action: str, phase: str) -> Answer:
        n = next(self._numbers)
        if action == "read":
            tracking = self.last_accepted()
            path = f"/api/v1/reports/{tracking}/" if tracking else "/laporan/"
            status, headers, body = self.lapor.get(path)
            tracking = None
        elif action == "form":
            status, headers, tracking, body = self.lapor.file_form(n)
        else:
            status, headers, tracking, body = self.lapor.file_api(
                n, self.key if action == "key" else None
            )
        body = body if status >= 400 or status == 0 else b""
        return Answer(action, phase, status, headers.get("Retry-After"), tracking, n, body)

    def last_accepted(self) -> str | None:
        with self._lock:
            for answer in reversed(self.answers):
                if answer.tracking:
                    return answer.tracking
        return None

    def count(self, phase: str | None = None, accepted: bool | None = None) -> int:
        with self._lock:
            return sum(
                1
                for a in self.answers
                if (phase is None or a.phase == phase)
                and (accepted is None or bool(a.tracking) == accepted)
            )

    def wait_for(self, phase: str, requests: int, timeout: float) -> None:
        """Lets the clients run until ``requests`` answers came back in ``phase``, at most
        ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while self.count(phase) < requests and time.monotonic() < deadline:
            time.sleep(0.1)

    def filings(self) -> list[Answer]:
        return [a for a in self.answers if a.action != "read"]

    def accepted(self) -> set[str]:
        return {a.tracking for a in self.answers if a.tracking}

    def statuses(self, phase: str | None = None) -> dict:
        counts: dict = {}
        for a in self.answers:
            if phase is None or a.phase == phase:
                key = f"{a.action} {a.status}"
                counts[key] = counts.get(key, 0) + 1
        return counts
