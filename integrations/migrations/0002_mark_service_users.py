"""Marks the accounts that existing API keys act as (agencies.User.is_service)."""

from django.db import migrations


def mark(apps, schema_editor):
    ApiKey = apps.get_model("integrations", "ApiKey")
    User = apps.get_model("agencies", "User")
    User.objects.filter(pk__in=ApiKey.objects.values("service_user_id")).update(is_service=True)


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0002_user_is_service"),
        ("integrations", "0001_initial"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
