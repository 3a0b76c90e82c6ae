"""Typo-tolerant public search on PostgreSQL: pg_trgm and unaccent, an immutable folding
function (lower case, accents off) and a trigram GIN index on the folded title and story, so
that "berlobang" finds the reports that say "berlubang" (complaints.selectors.search_reports).
The full-text column of 0002 stays; the two are ORed. SQLite has neither: the selector
approximates there."""

from django.db import migrations

ADD = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE OR REPLACE FUNCTION lapor_fold(value text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$;
CREATE INDEX IF NOT EXISTS report_search_trgm ON complaints_report
  USING gin (lapor_fold(title || ' ' || description) gin_trgm_ops);
"""
DROP = """
DROP INDEX IF EXISTS report_search_trgm;
DROP FUNCTION IF EXISTS lapor_fold(text);
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0013_working_calendar_and_export_jobs")]
    operations = [migrations.RunPython(forwards, backwards)]
