"""Trigram similarity for the duplicate finder on PostgreSQL (pg_trgm): a GIN index on the
title. SQLite has no trigrams; complaints.duplicates compares words there instead."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS report_title_trgm ON complaints_report "
            "USING gin (title gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS report_title_trgm")


class Migration(migrations.Migration):
    dependencies = [("complaints", "0002_search")]
    operations = [migrations.RunPython(forwards, backwards)]
