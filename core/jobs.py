"""Named background jobs, so that a module low in the house can start one without importing
the tasks module above it (tasks call services, never the reverse). Each app's ``tasks``
module registers its jobs when it is imported, which its AppConfig.ready does at start-up."""

from collections.abc import Callable

_JOBS: dict[str, Callable] = {}


def register(name: str, start: Callable) -> None:
    _JOBS[name] = start


def start(name: str, *args, **kwargs):
    """Starts the job ``name`` (queues its Celery task, or runs it when tasks are eager).
    Raises what the broker raises: callers that must not fail catch it (the sweeps resend)."""
    return _JOBS[name](*args, **kwargs)
