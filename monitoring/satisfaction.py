"""The public service survey (SKM) on the dashboards: its answers added up in ``SkmSummary``
rows as each survey is filled, and the index per agency or per category read from them
(complaints.skm computes the index and grade)."""

from collections import defaultdict
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q, Sum

from complaints import skm
from complaints.models import SurveyResponse

from . import fold
from .models import SkmSummary

JAKARTA = ZoneInfo("Asia/Jakarta")
KEY = ["period", "start", "province", "owner", "category"]
SUMS = [f"s{i}" for i in range(1, 10)]


def _keys(moment, province: str, owner: int, category: int) -> list[tuple]:
    day = moment.astimezone(JAKARTA).date()
    starts = (("y", day.replace(month=1, day=1)), ("m", day.replace(day=1)), ("d", day))
    return [(period, start, province or "", owner or 0, category or 0) for period, start in starts]


def record(event, report) -> None:
    """Adds a filled survey (an event carrying ``skm`` answers) to its rows, in the
    transaction of the change."""
    answers = event.data.get("skm")
    if not answers:
        return
    keys = _keys(event.created_at, report.province_id, report.owner_agency_id, report.category_id)
    _add([(key, 1, answers) for key in keys])


def _add(rows) -> None:
    fold.append(SkmSummary, [(*key, n, *sums) for key, n, sums in sorted(rows)])


def expected() -> dict[tuple, list[int]]:
    """The rows the survey answers call for: {key: [n, s1..s9]} (rebuild_summaries)."""
    rows: dict[tuple, list[int]] = defaultdict(lambda: [0] * 10)
    fields = ["created_at", "province_id", "owner_agency_id", "category_id", *skm.FIELDS]
    for values in SurveyResponse.objects.values_list(*fields).iterator(chunk_size=10_000):
        moment, province, owner, category, *answers = values
        for key in _keys(moment, province, owner, category):
            row = rows[key]
            row[0] += 1
            for i, a in enumerate(answers):
                row[i + 1] += a
    return dict(rows)


def stored() -> dict[tuple, list[int]]:
    """The rows as stored, unfolded deltas added (rebuild_summaries --check)."""
    rows: dict[tuple, list[int]] = {}
    both = fold.with_deltas(SkmSummary, lambda objects: objects.values_list(*KEY, "n", *SUMS))
    for r in both:
        have = rows.setdefault(tuple(r[:5]), [0] * 10)
        rows[tuple(r[:5])] = [a + b for a, b in zip(have, r[5:], strict=True)]
    return {key: values for key, values in rows.items() if values[0]}


@transaction.atomic
def rebuild() -> int:
    SkmSummary.objects.all().delete()
    want = expected()
    SkmSummary.objects.bulk_create(
        [
            SkmSummary(
                **dict(zip(KEY, key, strict=True)), n=v[0], **dict(zip(SUMS, v[1:], strict=True))
            )
            for key, v in want.items()
        ],
        batch_size=5000,
    )
    return len(want)


def _period_q(period) -> Q:
    from .selectors import period_parts_q

    q = Q(pk__in=[])
    for part in period_parts_q(period.start, period.end):
        q |= part  # whole years, whole months and days: each day once
    return q


def sums_by(*, by: str, period, where: Q | None = None) -> dict:
    """{value of ``by`` ("owner", "category" or "province"): (respondents, [sum of each
    element's answers])} for the surveys filled in ``period``. One query."""
    rows = fold.with_deltas(
        SkmSummary,
        lambda objects: (
            objects.filter(_period_q(period) & (where or Q()))
            .values(by)
            .annotate(total=Sum("n"), **{f"t{c}": Sum(c) for c in SUMS})
            .order_by()
        ),
    )
    result: dict = {}
    for r in rows:  # a group's folded rows and its unfolded deltas
        n, sums = result.get(r[by], (0, [0] * len(SUMS)))
        added = [a + (r[f"t{c}"] or 0) for a, c in zip(sums, SUMS, strict=True)]
        result[r[by]] = (n + (r["total"] or 0), added)
    return result


def index_by(*, by: str, period, where: Q | None = None) -> dict:
    """{value of ``by``: complaints.skm.Index}. One query."""
    return {
        k: skm.index(n, sums) for k, (n, sums) in sums_by(by=by, period=period, where=where).items()
    }


def index_of(*, period, where: Q | None = None) -> skm.Index:
    """One index over every survey of ``period`` matching ``where``. One query."""
    return whole(sums_by(by="category", period=period, where=where))


def whole(sums: dict) -> skm.Index:
    """The index of all the groups of a ``sums_by`` result together (no query)."""
    n = sum(v[0] for v in sums.values())
    totals = [sum(v[1][i] for v in sums.values()) for i in range(9)]
    return skm.index(n, totals)
