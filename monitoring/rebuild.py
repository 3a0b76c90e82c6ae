"""Recompute the summary rows from the reports: to check the incremental upkeep, to repair it,
and to fill the tables after a bulk load. Reads every report once (a command, not a page).

At a million reports the tables hold millions of rows, so the expected rows are kept as plain
tuples (not a Counter per row), the stored rows are streamed and compared one by one without a
second copy in memory, only the rows that differ are sorted, and on PostgreSQL the rebuilt rows
are written with COPY."""

import operator
from collections import defaultdict
from contextlib import contextmanager
from types import SimpleNamespace

from django.db import connection, transaction

from complaints.models import Report

from . import fold, satisfaction
from .facts import FIELDS, MEASURES, contribution
from .models import DELTAS, DURATION_KEY, KEY, Duration, DurationDelta, Summary, SummaryDelta
from .warnings import expected_counts, rebuild_counts, stored_counts

CHUNK = 10_000
ZERO = (0,) * len(MEASURES)


def expected() -> tuple[dict, dict]:
    """The rows the reports call for: ({key: measures as a tuple in MEASURES order},
    {duration key: n})."""
    summary: dict = {}
    durations: dict = defaultdict(int)
    add = operator.add
    for values in Report.objects.values_list(*FIELDS).order_by().iterator(chunk_size=CHUNK):
        rows, spans = contribution(SimpleNamespace(**dict(zip(FIELDS, values, strict=True))))
        last, vector = None, ZERO
        for key, measures in rows.items():
            if measures is not last:  # one Counter serves all of a report's rows
                last, vector = measures, tuple(measures[m] for m in MEASURES)
            have = summary.get(key)
            summary[key] = vector if have is None else tuple(map(add, have, vector))
        for key, n in spans.items():
            durations[key] += n
    return summary, durations


def _stored_summary():
    """The stored rows with the deltas not yet folded added (read in the same snapshot)."""
    width = len(KEY)
    pending: dict = {}
    for row in SummaryDelta.objects.values_list(*KEY, *MEASURES).order_by().iterator(CHUNK):
        have = pending.get(row[:width], ZERO)
        pending[row[:width]] = tuple(map(operator.add, have, row[width:]))
    for row in Summary.objects.values_list(*KEY, *MEASURES).order_by().iterator(CHUNK):
        key, have = row[:width], row[width:]
        extra = pending.pop(key, None)
        yield key, have if extra is None else tuple(map(operator.add, have, extra))
    yield from pending.items()


def _stored_durations():
    pending: dict = defaultdict(int)
    for row in DurationDelta.objects.values_list(*DURATION_KEY, "n").order_by().iterator(CHUNK):
        pending[row[:-1]] += row[-1]
    for row in Duration.objects.values_list(*DURATION_KEY, "n").order_by().iterator(CHUNK):
        yield row[:-1], row[-1] + pending.pop(row[:-1], 0)
    yield from pending.items()


@contextmanager
def snapshot():
    """One snapshot for every read inside (REPEATABLE READ on PostgreSQL, read only), so the
    reports, the rows and the deltas are compared as of one moment while filings and folds
    go on. Inside an outer transaction (tests) that transaction's isolation stays."""
    outer = connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and not outer:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def differences() -> list[str]:
    """Rows where the stored summaries (with their unfolded deltas) disagree with the reports
    (empty when all agree). A stored row of zeros and a missing row agree. Folds first, then
    reads everything in one snapshot, so it holds while reports are being filed."""
    fold.fold()
    with snapshot():
        return _differences()


def _differences() -> list[str]:
    want_s, want_d = expected()
    bad_s, bad_d = {}, {}
    for key, have in _stored_summary():
        want = want_s.pop(key, ZERO)
        if want != have:
            bad_s[key] = (want, have)
    bad_s.update({key: (want, ZERO) for key, want in want_s.items() if want != ZERO})
    for key, have in _stored_durations():
        want = want_d.pop(key, 0)
        if want != have:
            bad_d[key] = (want, have)
    bad_d.update({key: (want, 0) for key, want in want_d.items() if want})

    def named(values: tuple) -> dict:
        return {m: v for m, v in zip(MEASURES, values, strict=True) if v}

    problems = [
        f"summary {key}: reports say {named(want)}, table has {named(have)}"
        for key, (want, have) in sorted(bad_s.items(), key=lambda item: str(item[0]))
    ]
    problems += [
        f"duration {key}: reports say {want}, table has {have}"
        for key, (want, have) in sorted(bad_d.items(), key=lambda item: str(item[0]))
    ]
    want_w, have_w = expected_counts(), stored_counts()
    problems += [
        f"weekly {key}: reports say {want_w.get(key, 0)}, table has {have_w.get(key, 0)}"
        for key in sorted(set(want_w) | set(have_w), key=str)
        if want_w.get(key, 0) != have_w.get(key, 0)
    ]
    want_k, have_k = satisfaction.expected(), satisfaction.stored()
    problems += [
        f"skm {key}: surveys say {want_k.get(key)}, table has {have_k.get(key)}"
        for key in sorted(set(want_k) | set(have_k), key=str)
        if want_k.get(key) != have_k.get(key)
    ]
    return problems


@transaction.atomic
def rebuild() -> tuple[int, int]:
    """Replaces the summary tables with rows computed from the reports. The delta tables are
    locked first (filings wait until the rebuild commits), so every report the rebuild reads
    has its deltas deleted here and none is counted twice or lost."""
    if connection.vendor == "postgresql":
        tables = ", ".join(model._meta.db_table for model in DELTAS.values())
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
    for model in DELTAS.values():
        model.objects.all().delete()
    want_s, want_d = expected()
    Summary.objects.all().delete()
    Duration.objects.all().delete()
    summary_rows = ((*key, *values) for key, values in want_s.items() if values[0])
    duration_rows = ((*key, n) for key, n in want_d.items() if n)
    _insert(Summary, [*KEY, *MEASURES], summary_rows)
    _insert(Duration, [*DURATION_KEY, "n"], duration_rows)
    rebuild_counts()
    satisfaction.rebuild()
    return len(want_s), len(want_d)


def _insert(model, columns: list[str], rows) -> None:
    if connection.vendor == "postgresql":
        table = model._meta.db_table
        with connection.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    model.objects.bulk_create(
        (model(**dict(zip(columns, row, strict=True))) for row in rows), batch_size=5000
    )
