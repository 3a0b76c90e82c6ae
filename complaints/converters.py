"""One path converter for tracking numbers on every route (web, staff, API): what a citizen
types or reads aloud (lower case, spaces, no dashes, confusable letters) reaches the view as the
canonical number. Text that cannot be a number reaches the view as it came, so each door
answers it with its own not-found (page, JSON body, Open311 error)."""

from django.urls import register_converter

from . import tracking


def canonical(value: str) -> str:
    """The canonical tracking number, or ``value`` unchanged when it cannot be one."""
    try:
        return tracking.normalize(value)
    except tracking.TrackingError:
        return value


class TrackingConverter:
    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        return canonical(value)

    def to_url(self, value: str) -> str:
        return value


register_converter(TrackingConverter, "tracking")
