"""A tiny per-process cache for reference and configuration tables (regions, time limits, days
off) that change by decree, not by the minute: read at most once per ``ttl`` seconds per
process, and at once again in the process that changed them (a post_save/post_delete signal
clears it). Other processes see a change within ``ttl``."""

import threading
import time
from collections.abc import Callable


class Memo:
    instances: list["Memo"] = []

    def __init__(self, load: Callable[[], object], ttl: float = 60.0):
        self._load, self._ttl = load, ttl
        self._value, self._at = None, 0.0
        self._lock = threading.Lock()
        Memo.instances.append(self)

    @classmethod
    def clear_all(cls) -> None:
        """Forget every memo (tests, whose rolled-back transactions the signals do not see)."""
        for memo in cls.instances:
            memo.clear()

    def get(self):
        now = time.monotonic()
        if self._value is None or now - self._at > self._ttl:
            with self._lock:
                if self._value is None or now - self._at > self._ttl:
                    self._value, self._at = self._load(), now
        return self._value

    def clear(self, *args, **kwargs) -> None:
        self._value = None

    def clear_on_change(self, *models) -> "Memo":
        from django.db.models.signals import post_delete, post_save

        for model in models:
            post_save.connect(self.clear, sender=model, weak=False)
            post_delete.connect(self.clear, sender=model, weak=False)
        return self
