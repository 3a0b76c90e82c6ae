"""Full-text search of reports on PostgreSQL: a generated tsvector column with a GIN index,
kept up to date by the database itself (no trigger, no work in the request). SQLite, for the
one-command development mode, searches with LIKE instead (complaints.selectors._search)."""

from django.db import migrations

ADD = """
ALTER TABLE complaints_report ADD COLUMN IF NOT EXISTS search_tsv tsvector
  GENERATED ALWAYS AS (
    setweight(to_tsvector('indonesian'::regconfig, coalesce(title, '')), 'A') ||
    setweight(to_tsvector('indonesian'::regconfig, coalesce(description, '')), 'B')
  ) STORED;
CREATE INDEX IF NOT EXISTS report_search_tsv ON complaints_report USING gin (search_tsv);
"""
DROP = """
DROP INDEX IF EXISTS report_search_tsv;
ALTER TABLE complaints_report DROP COLUMN IF EXISTS search_tsv;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
