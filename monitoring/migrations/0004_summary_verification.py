"""The verification clock's measures (complaints.deadlines: verified on time, verified late or
waiting past the limit, waiting past it now, and of those the ones national triage must verify),
and the covering indexes of 0003 with them INCLUDEd, so the dashboards still read the index
alone. Run ``manage.py rebuild_summaries`` once after this migration to fill them."""

from django.db import migrations, models

NEW = ["verify_on_time", "verify_late", "verify_overdue", "verify_overdue_triage"]
OLD_MEASURES = (
    "n, dispatched, followed_up, on_time, late, overdue, resolved_ever, reopened, "
    "reopen_total, transferred, rating_sum, rating_n"
)
SUMMARY_MEASURES = OLD_MEASURES + ", " + ", ".join(NEW)
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
    dependencies = [("monitoring", "0003_summary_late")]
    operations = [
        *[
            migrations.AddField(
                model_name="summary", name=name, field=models.IntegerField(default=0)
            )
            for name in NEW
        ],
        migrations.RunPython(forwards, backwards),
    ]
