"""bench/generate_reports.py writes reports and summary rows without the app (COPY): it must
hand the summaries every field they read and write every column a report needs. The whole run
is checked by ``rebuild_summaries --check`` on the generated database (see the report of the
benchmark); these tests catch the drift that broke it (a field the summaries started reading)."""

import datetime as dt
import importlib.util
import sys
from pathlib import Path

from complaints.models import Report
from monitoring.facts import FIELDS, contribution

ROOT = Path(__file__).resolve().parents[2]


def _generator():
    spec = importlib.util.spec_from_file_location(
        "generate_reports", ROOT / "bench/generate_reports.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("generate_reports", module)
    spec.loader.exec_module(module)
    return module


def test_a_simulated_report_hands_the_summaries_every_field_they_read():
    gen = _generator()
    life = gen.Life()
    t = int(dt.datetime(2026, 3, 2, 3, tzinfo=dt.UTC).timestamp())
    for name in FIELDS:
        if name.endswith(("_at", "_due")):
            setattr(life, name, t)
    life.status, life.kind, life.province_id = "in_progress", "complaint", "32"
    life.resolved_at = life.overdue_at = None
    facts = gen.Facts(life, FIELDS)
    assert all(hasattr(facts, name) for name in FIELDS)
    rows, _spans = contribution(facts)
    assert rows and all(m["n"] == 1 for m in rows.values())


def test_the_generator_writes_every_column_a_report_cannot_do_without():
    gen = _generator()
    columns = {f.column: f for f in Report._meta.concrete_fields}
    assert set(gen.REPORT_COLUMNS) <= set(columns)
    left_out = [
        name
        for name, f in columns.items()
        if name not in gen.REPORT_COLUMNS and not f.null and not f.has_default()
    ]
    assert left_out == []
