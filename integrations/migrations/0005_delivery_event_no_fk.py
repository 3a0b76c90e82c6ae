"""WebhookDelivery.event without a database foreign key: events are partitioned by month and
complaints.partitions' triggers keep the integrity (complaints 0023 drops the key)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0023_event_partitions"),
        ("integrations", "0004_sync"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="webhookdelivery",
                    name="event",
                    field=models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="complaints.reportevent",
                    ),
                ),
            ]
        ),
    ]
