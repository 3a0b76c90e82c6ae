"""Outbox rows in monthly partitions on PostgreSQL (complaints.partitions, as 0023 did for the
audit events): the dedupe keys move to their own unpartitioned table (a unique index over all
months), then the plain table with its rows becomes a partitioned one in this transaction,
every key copied, the id sequence kept. SQLite keeps the plain table (and gets the key table)."""

from django.db import migrations, models


def forward(apps, schema_editor):
    from complaints import partitions

    # Every message's key, on SQLite too (its plain table keeps no unique index either now).
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO complaints_outboxkey (dedupe_key, created_at) "
            "SELECT dedupe_key, created_at FROM complaints_outboxmessage"
        )
    partitions.convert(schema_editor, table=partitions.OUTBOX)


def backward(apps, schema_editor):
    from complaints import partitions

    partitions.revert(schema_editor, table=partitions.OUTBOX)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0028_outbox_template"),
    ]

    operations = [
        migrations.CreateModel(
            name="OutboxKey",
            fields=[
                (
                    "dedupe_key",
                    models.CharField(
                        max_length=200, primary_key=True, serialize=False, verbose_name="kunci unik"
                    ),
                ),
                ("created_at", models.DateTimeField(verbose_name="dibuat")),
            ],
            options={
                "verbose_name": "kunci pesan keluar",
                "verbose_name_plural": "kunci pesan keluar",
            },
        ),
        # The unique index a partitioned table cannot have (the key table takes its place).
        migrations.AlterField(
            model_name="outboxmessage",
            name="dedupe_key",
            field=models.CharField(max_length=200, verbose_name="kunci unik"),
        ),
        migrations.RunPython(forward, backward),
    ]
