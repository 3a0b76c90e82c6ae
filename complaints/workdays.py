"""Working days in Indonesia: Monday to Friday, less national public holidays and joint leave
days (cuti bersama), as the ``holidays`` package lists them, plus any day off an admin adds
(``NonWorkingDay``) for a decree the package does not know yet, and less any the admin cancels
(a holiday the government moved)."""

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from core.memo import Memo

JAKARTA = ZoneInfo("Asia/Jakarta")
MAKASSAR = ZoneInfo("Asia/Makassar")
JAYAPURA = ZoneInfo("Asia/Jayapura")

# A day ends at midnight in the report's own region. Keppres No. 41 Tahun 1987 (Pembagian
# Wilayah Republik Indonesia menjadi 3 Wilayah Waktu), art. 2: WIB (UTC+7) for Sumatra, Java,
# Madura, Kalimantan Barat and Kalimantan Tengah; WITA (UTC+8) for Bali, Nusa Tenggara,
# Kalimantan Selatan and Kalimantan Timur, and Sulawesi; WIT (UTC+9) for Maluku and Irian Jaya.
# Provinces made since follow the province they came from: Kalimantan Utara (UU 20/2012, from
# Kalimantan Timur) and Gorontalo and Sulawesi Barat WITA; Maluku Utara and the Papua provinces
# (91-96) WIT; Banten, Bangka Belitung and Kepulauan Riau WIB. Codes: shared/data/provinces.csv.
WITA_PROVINCES = frozenset({"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"})
WIT_PROVINCES = frozenset({"81", "82", "91", "92", "93", "94", "95", "96"})


ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def zone_name(zone: ZoneInfo) -> str:
    """WIB, WITA or WIT (the zone's key for any other)."""
    return ZONE_NAMES.get(zone.key, zone.key)


def zone_for(province_id: str | None) -> ZoneInfo:
    """The time zone of a province (WIB when unknown)."""
    if province_id in WIT_PROVINCES:
        return JAYAPURA
    if province_id in WITA_PROVINCES:
        return MAKASSAR
    return JAKARTA


@lru_cache(maxsize=64)
def _package_named(year: int, language: str = "id") -> dict[dt.date, tuple[str, str]]:
    """The package's days off of ``year``: date -> (name, "public" or "government"). Public
    holidays and joint leave days (cuti bersama, the package's GOVERNMENT category) as the
    yearly SKB 3 Menteri on national holidays and joint leave sets them (see
    complaints.models.NonWorkingDay)."""
    named: dict[dt.date, tuple[str, str]] = {}
    for category in (holidays.GOVERNMENT, holidays.PUBLIC):  # public wins a shared date
        days = holidays.country_holidays(
            "ID", years=year, categories=(category,), language=language
        )
        named.update({day: (name, category) for day, name in days.items()})
    return named


@lru_cache(maxsize=64)
def _package_days(year: int) -> frozenset[dt.date]:
    return frozenset(_package_named(year))


def _all_changes() -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """The admin's changes: (days off added, days off cancelled)."""
    from .models import NonWorkingDay  # models import modules that import this one

    rows = list(NonWorkingDay.objects.values_list("date", "kind"))
    cancelled = frozenset(d for d, kind in rows if kind == NonWorkingDay.Kind.CANCELLED)
    return frozenset(d for d, _kind in rows) - cancelled, cancelled


EXTRA_DAYS = Memo(_all_changes)


def _changes(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    added, cancelled = EXTRA_DAYS.get()
    return (
        frozenset(d for d in added if d.year == year),
        frozenset(d for d in cancelled if d.year == year),
    )


class Calendar:
    """Working-day arithmetic. Reads the admin's changes once per year it touches: a day off
    is one the package lists or the admin added, unless the admin cancelled it."""

    def __init__(self, extra: dict[int, frozenset[dt.date]] | None = None, use_db: bool = True):
        self._extra = dict(extra or {})
        self._use_db = use_db
        self._offs: dict[int, frozenset[dt.date]] = {}

    def _off(self, year: int) -> frozenset[dt.date]:
        if year not in self._offs:
            added, cancelled = _changes(year) if self._use_db else (frozenset(), frozenset())
            added |= self._extra.get(year, frozenset())
            self._offs[year] = (_package_days(year) | added) - cancelled
        return self._offs[year]

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self._off(day.year)

    def add_working_days(
        self, start: dt.datetime, days: int, tz: ZoneInfo = JAKARTA
    ) -> dt.datetime:
        """The moment ``days`` working days after ``start``: the end of that working day in
        the time zone ``tz`` (23:59:59). Day one is the first working day after the start's own
        day there, so a report filed on a Friday evening with 3 days is due at the end of
        Wednesday, and one filed in Jayapura at 00:30 on a Tuesday (Monday 22:30 in Jakarta)
        counts from Tuesday."""
        day = start.astimezone(tz).date()
        counted = 0
        while counted < days:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz)

    def add_calendar_days(
        self, start: dt.datetime, days: int, tz: ZoneInfo = JAKARTA
    ) -> dt.datetime:
        day = start.astimezone(tz).date() + dt.timedelta(days=days)
        return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=tz)

    def working_days_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Working days after ``start``'s day up to and including ``end``'s day (negative when
        ``end`` is earlier)."""
        a = start.astimezone(JAKARTA).date()
        b = end.astimezone(JAKARTA).date()
        sign = 1
        if b < a:
            a, b, sign = b, a, -1
        count = 0
        day = a
        while day < b:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return sign * count


def year_days_off(year: int) -> list[dict]:
    """The working calendar of ``year`` as the admin shows it: every day off the package lists
    and every change the admin made, by date, each with its name, where it comes from
    ("public", "government" for joint leave, "admin") and whether it is cancelled. One query."""
    from django.utils.translation import get_language

    from .models import NonWorkingDay

    changes = {c.date: c for c in NonWorkingDay.objects.filter(date__year=year)}
    named = _package_named(year, "en_US" if (get_language() or "").startswith("en") else "id")
    days = []
    for day in sorted(set(named) | set(changes)):
        package = named.get(day)
        change = changes.get(day)
        cancelled = change is not None and change.kind == NonWorkingDay.Kind.CANCELLED
        days.append(
            {
                "date": day,
                "name": package[0] if package else change.name,
                "source": package[1] if package else "admin",
                "change": change,
                "cancelled": cancelled,
                "weekend": day.weekday() >= 5,
            }
        )
    return days
