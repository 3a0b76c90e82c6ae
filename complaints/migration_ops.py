"""Migration operations shared by complaints' migrations."""

from django.db import migrations


class AddIndexOnPostgres(migrations.AddIndex):
    """The index on PostgreSQL only: SQLite (`make run`) refuses NULLS LAST in an index
    ("unsupported use of NULLS LAST"); the migration state is the same on both."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
