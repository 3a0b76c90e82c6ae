"""The ``late`` measure (a report that missed a limit, complaints.deadlines.is_late), and the
covering indexes of 0002 with it INCLUDEd, so the dashboards still read the index alone.

``on_time`` now means "answered within every limit due so far" (it used to ignore a missed
resolution limit): run ``manage.py rebuild_summaries`` once after this migration so stored rows
follow the new definitions."""

from django.db import migrations, models

SUMMARY_MEASURES = (
    "n, dispatched, followed_up, on_time, late, overdue, resolved_ever, reopened, "
    "reopen_total, transferred, rating_sum, rating_n"
)
OLD_MEASURES = (
    "n, dispatched, followed_up, on_time, overdue, resolved_ever, reopened, reopen_total, "
    "transferred, rating_sum, rating_n"
)
SUMMARY_KEY = "grain, period, start, province, owner, holder, status"


def _sql(measures: str) -> str:
    return f"""
DROP INDEX IF EXISTS summary_lookup;
CREATE INDEX summary_lookup ON monitoring_summary (grain, period, start, owner)
  INCLUDE (province, holder, status, {measures});
ALTER TABLE monitoring_summary DROP CONSTRAINT summary_key;
ALTER TABLE monitoring_summary ADD CONSTRAINT summary_key UNIQUE ({SUMMARY_KEY})
  INCLUDE ({measures});
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_sql(SUMMARY_MEASURES))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_sql(OLD_MEASURES))


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0002_covering_indexes")]
    operations = [
        migrations.AddField(
            model_name="summary", name="late", field=models.IntegerField(default=0)
        ),
        migrations.RunPython(forwards, backwards),
    ]
