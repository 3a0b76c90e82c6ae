# Three branches each added a complaints 0008 on the same day (Report.matter, Report.show_name,
# the triage workspace); all are on main, so they are joined here instead of renumbered.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0008_report_show_name"),
        ("complaints", "0008_triage_workspace"),
        ("complaints", "0009_jakarta_one_government"),
    ]

    operations = []
