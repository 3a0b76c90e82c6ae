"""Provinces and regencies from memory: the report form validates a region on every filing,
and the list changes only by ministerial decree (and the reference command)."""

from core.memo import Memo

from .models import Province, Regency


def _load() -> dict:
    return {
        "provinces": dict(Province.objects.values_list("code", "name")),
        "regencies": {
            code: (province, name)
            for code, province, name in Regency.objects.values_list("code", "province_id", "name")
        },
    }


REGIONS = Memo(_load, ttl=300).clear_on_change(Province, Regency)


def provinces() -> dict[str, str]:
    """{code: name}, in code order."""
    return REGIONS.get()["provinces"]


def regencies() -> dict[str, tuple[str, str]]:
    """{code: (province code, name)}."""
    return REGIONS.get()["regencies"]
