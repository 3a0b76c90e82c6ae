"""Covering indexes for the dashboards on PostgreSQL.

The dashboards sum rows of one grain and period, by agency (``summary_lookup``,
``duration_lookup``: grain, period, start, owner) or by province (the unique keys: grain,
period, start, province, ...). At a million reports the tables hold millions of rows and the
rows one page needs lie scattered over thousands of heap pages: the province page's duration
query read 17,700 rows from 8,880 pages (130 ms). With the summed columns INCLUDEd in the
same indexes, PostgreSQL answers from the index alone (an index-only scan, in key order).

The index and constraint names and key columns stay as monitoring.models declares them; only
the INCLUDE part is added, so Django's migration state is unchanged. SQLite (development) keeps
the plain indexes. The cost: a change to a summary row now also writes its index entries
(no HOT update), a few more index writes per report change."""

from django.db import migrations

SUMMARY_MEASURES = (
    "n, dispatched, followed_up, on_time, overdue, resolved_ever, reopened, reopen_total, "
    "transferred, rating_sum, rating_n"
)
SUMMARY_KEY = "grain, period, start, province, owner, holder, status"
DURATION_KEY = "grain, period, start, province, owner, holder, measure, bucket"

FORWARDS = f"""
DROP INDEX IF EXISTS summary_lookup;
CREATE INDEX summary_lookup ON monitoring_summary (grain, period, start, owner)
  INCLUDE (province, holder, status, {SUMMARY_MEASURES});
ALTER TABLE monitoring_summary DROP CONSTRAINT summary_key;
ALTER TABLE monitoring_summary ADD CONSTRAINT summary_key UNIQUE ({SUMMARY_KEY})
  INCLUDE ({SUMMARY_MEASURES});
DROP INDEX IF EXISTS duration_lookup;
CREATE INDEX duration_lookup ON monitoring_duration (grain, period, start, owner)
  INCLUDE (province, holder, measure, bucket, n);
ALTER TABLE monitoring_duration DROP CONSTRAINT duration_key;
ALTER TABLE monitoring_duration ADD CONSTRAINT duration_key UNIQUE ({DURATION_KEY}) INCLUDE (n);
"""
BACKWARDS = f"""
DROP INDEX IF EXISTS summary_lookup;
CREATE INDEX summary_lookup ON monitoring_summary (grain, period, start, owner);
ALTER TABLE monitoring_summary DROP CONSTRAINT summary_key;
ALTER TABLE monitoring_summary ADD CONSTRAINT summary_key UNIQUE ({SUMMARY_KEY});
DROP INDEX IF EXISTS duration_lookup;
CREATE INDEX duration_lookup ON monitoring_duration (grain, period, start, owner);
ALTER TABLE monitoring_duration DROP CONSTRAINT duration_key;
ALTER TABLE monitoring_duration ADD CONSTRAINT duration_key UNIQUE ({DURATION_KEY});
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARDS)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARDS)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_summaries")]
    operations = [migrations.RunPython(forwards, backwards)]
