"""Working days in Indonesia: Monday to Friday, less national public holidays and joint leave
days (cuti bersama), as the ``holidays`` package lists them, plus any ``NonWorkingDay`` an
admin adds for a decree the package does not know yet."""

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


def zone_for(province_id: str | None) -> ZoneInfo:
    """The time zone of a province (WIB when unknown)."""
    if province_id in WIT_PROVINCES:
        return JAYAPURA
    if province_id in WITA_PROVINCES:
        return MAKASSAR
    return JAKARTA


@lru_cache(maxsize=64)
def _package_days(year: int) -> frozenset[dt.date]:
    days = holidays.country_holidays(
        "ID", years=year, categories=(holidays.PUBLIC, holidays.GOVERNMENT)
    )
    return frozenset(days)


def _all_extra_days() -> frozenset[dt.date]:
    from .models import NonWorkingDay  # models import modules that import this one

    return frozenset(NonWorkingDay.objects.values_list("date", flat=True))


EXTRA_DAYS = Memo(_all_extra_days)


def _extra_days(year: int) -> frozenset[dt.date]:
    return frozenset(d for d in EXTRA_DAYS.get() if d.year == year)


class Calendar:
    """Working-day arithmetic. Reads the admin's extra days once per year it touches."""

    def __init__(self, extra: dict[int, frozenset[dt.date]] | None = None, use_db: bool = True):
        self._extra = dict(extra or {})
        self._use_db = use_db

    def _off(self, year: int) -> frozenset[dt.date]:
        if year not in self._extra:
            self._extra[year] = _extra_days(year) if self._use_db else frozenset()
        return _package_days(year) | self._extra[year]

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
