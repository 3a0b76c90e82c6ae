"""Typo-tolerant public search, cheaper: the words of public reports in a small materialized
view with a trigram index on their folded form (lower case, no accents). A query word of four letters or
more is widened to the closest of those words ("berlobang" -> "berlubang") inside the one
full-text condition, so the search keeps using the tsvector index whatever the number of
reports. The trigram index over whole stories (0014_fuzzy_search) rechecked every candidate's full text
(0.5-2.8 s for one word at 50,000 reports): dropped. Published reports only (complaints.models.UNPUBLISHED and confidential ones are left out,
as Report.objects.public does). A plain query, not ts_stat's SQL string, so that pg_restore
(which empties the search_path) can refresh it. The view is refreshed by
complaints.tasks.search_words_refresh (daily) and after this migration."""

from django.db import migrations

ADD = """
CREATE MATERIALIZED VIEW IF NOT EXISTS lapor_search_words AS
  SELECT DISTINCT word
  FROM complaints_report,
       unnest(tsvector_to_array(to_tsvector('simple', title || ' ' || description))) AS word
  WHERE NOT is_confidential
    AND status NOT IN ('submitted', 'needs_info', 'rejected', 'merged', 'archived')
    AND length(word) >= 4;
CREATE UNIQUE INDEX IF NOT EXISTS lapor_search_words_word ON lapor_search_words (word);
CREATE INDEX IF NOT EXISTS lapor_search_words_trgm ON lapor_search_words
  USING gin (lapor_fold(word) gin_trgm_ops);
DROP INDEX IF EXISTS report_search_trgm;
"""
DROP = """
DROP MATERIALIZED VIEW IF EXISTS lapor_search_words;
CREATE INDEX IF NOT EXISTS report_search_trgm ON complaints_report
  USING gin (lapor_fold(title || ' ' || description) gin_trgm_ops);
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0020_information_request_path")]
    operations = [migrations.RunPython(forwards, backwards)]
