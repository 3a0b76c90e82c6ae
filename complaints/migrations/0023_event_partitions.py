"""Audit events in monthly partitions on PostgreSQL (complaints.partitions): the plain table
with its rows becomes a partitioned one. SQLite keeps the plain table."""

import django.db.models.deletion
from django.db import migrations, models


def forward(apps, schema_editor):
    from complaints import partitions

    partitions.convert(schema_editor)


def backward(apps, schema_editor):
    from complaints import partitions

    partitions.revert(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0022_labels_information_path"),
        ("integrations", "0004_sync"),
    ]

    operations = [
        # The foreign keys to events go in the database with the conversion (triggers take
        # their place); the state says db_constraint=False.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="attachment",
                    name="event",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="attachments",
                        to="complaints.reportevent",
                        verbose_name="peristiwa",
                    ),
                ),
            ]
        ),
        migrations.RunPython(forward, backward),
    ]
