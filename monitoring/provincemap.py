"""The province map on the national dashboard and /statistik/: each province drawn from
``monitoring/data/province_map.json`` (built by ``manage.py build_province_map``; source and
licence in ``monitoring/data/README.md``) and coloured by SP4N-LAPOR!'s headline figure, the
follow-up percentage. Rendered on the server as inline SVG, so it needs no JavaScript; each
province is a link with its name and figure as its title, and the table below the map stays
the accessible alternative with the same numbers."""

import json
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

from .tables import display

DATA = Path(__file__).resolve().parent / "data" / "province_map.json"

# Classes of the follow-up percentage, lowest first: (lower bound in %, CSS class). Fixed
# steps of 20 points (not quantiles of the period), so a colour means the same figure on
# every page and in every period.
STEPS = [
    (Decimal(0), "q0"),
    (Decimal(20), "q1"),
    (Decimal(40), "q2"),
    (Decimal(60), "q3"),
    (Decimal(80), "q4"),
]
NONE_CLASS = "qn"  # no report received in the period


@cache
def shapes() -> dict:
    """{"viewBox": ..., "shapes": {province code: SVG path}} (read once per process)."""
    return json.loads(DATA.read_text(encoding="utf-8"))


def colour_class(percent: Decimal | None) -> str:
    if percent is None:
        return NONE_CLASS
    chosen = STEPS[0][1]
    for lower, name in STEPS:
        if percent >= lower:
            chosen = name
    return chosen


def legend() -> list[dict]:
    items = []
    for i, (lower, name) in enumerate(STEPS):
        if i + 1 < len(STEPS):
            upper = STEPS[i + 1][0]
            label = _("%(a)s sampai di bawah %(b)s %%") % {"a": lower, "b": upper}
        else:
            label = _("%(a)s %% ke atas") % {"a": lower}
        items.append({"class": name, "label": label})
    items.append({"class": NONE_CLASS, "label": _("Tidak ada laporan")})
    return items


def province_map(rows: list[dict], *, link=None) -> dict:
    """The map's context from table rows (``tables.table_row``: key = province code, name,
    values, url). ``link(row)`` gives a province's link (default: the row's url)."""
    data = shapes()
    by_code = {str(r["key"]): r for r in rows}
    provinces = []
    for code, d in data["shapes"].items():
        row = by_code.get(code)
        if row is None:
            continue
        percent = row["values"].get("follow_up_percent")
        figure = (
            _("%(p)s ditindaklanjuti dari %(n)s laporan")
            % {"p": display(percent, "percent"), "n": display(row["values"]["received"], "int")}
            if percent is not None
            else _("tidak ada laporan")
        )
        provinces.append(
            {
                "code": code,
                "d": d,
                "class": colour_class(percent),
                "title": f"{row['name']}: {figure}",
                "url": link(row) if link else row.get("url"),
            }
        )
    return {"viewBox": data["viewBox"], "provinces": provinces, "legend": legend()}
