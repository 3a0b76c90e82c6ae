"""What LAPOR accepts at its doors: text PostgreSQL can store, JSON of a sane depth, dates in
a range the date arithmetic can handle. ``core.middleware.InputGuardMiddleware`` applies the
text and JSON rules to every request; forms and serializers use ``date_in_range``."""

import datetime as dt
import json
import re

from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

# PostgreSQL's text cannot hold NUL, and a lone surrogate (U+D800-U+DFFF, which only JSON's
# "\ud800" escapes can produce) cannot be encoded in UTF-8 at all: either one reaching a query
# was a 500. No legitimate input holds them.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MAX_JSON_DEPTH = 32

# Dates LAPOR reasons about. A wider date (year 9999) overflows the period arithmetic of the
# dashboards (adding a month to 9999-12-01); LAPOR's own data start in the 2010s.
MIN_DATE = dt.date(2000, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)


def unstorable(value: str) -> bool:
    return bool(UNSTORABLE.search(value))


def date_in_range(value) -> None:
    """Validator for date and datetime fields: raises ValidationError outside MIN_DATE..MAX_DATE."""
    if value is None:
        return
    day = value.date() if isinstance(value, dt.datetime) else value
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValidationError(date_range_message(), code="date_out_of_range")


def date_range_message() -> str:
    return _("Tanggal harus antara %(min)s dan %(max)s.") % {
        "min": date_format(MIN_DATE, "j F Y"),
        "max": date_format(MAX_DATE, "j F Y"),
    }


def bad_json(body: bytes) -> tuple[str, str] | None:
    """Why a JSON body is refused, as (reason, field): ("depth", "") when nested deeper than
    MAX_JSON_DEPTH, ("text", the top-level field) when a key or value holds unstorable text;
    None when it passes. A body that is not JSON at all is left to the door's own parser."""
    try:
        data = json.loads(body)
    except RecursionError:
        return ("depth", "")
    except ValueError:
        return None
    stack = [("", data, 0)]
    while stack:
        name, value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return ("depth", "")
        if isinstance(value, str):
            if unstorable(value):
                return ("text", name)
        elif isinstance(value, dict):
            for key, inner in value.items():
                if unstorable(key):
                    return ("text", name)
                stack.append((name or key, inner, depth + 1))
        elif isinstance(value, list):
            stack.extend((name, inner, depth + 1) for inner in value)
    return None
