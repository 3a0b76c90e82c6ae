"""Jakarta is one autonomous province (UU 29/2007 Pasal 9 ayat (1); UU 2/2024 Pasal 3 ayat (1)):
the six "governments" an earlier load_reference made for its administrative cities and regency
become units of Pemerintah Provinsi DKI Jakarta, their offices its city offices (suku dinas),
and the reports they hold follow, with the province as their owning agency. Nothing is deleted:
events keep pointing at the same rows. A database loaded after this change never had them."""

from django.db import migrations

ADMINISTRATIVE_REGION = "wilayah-administrasi"


def _move(agency, parent, Agency, Report, owner) -> None:
    agency.path = f"{parent.path}{agency.pk}/"
    agency.depth = parent.depth + 1
    agency.save(update_fields=["path", "depth", "kind", "level", "parent", "slug", "name", "unit_type", "is_active"])
    Report.objects.filter(agency=agency).update(agency_path=agency.path, owner_agency=owner)


def forwards(apps, schema_editor):
    Agency = apps.get_model("agencies", "Agency")
    Report = apps.get_model("complaints", "Report")
    Regency = apps.get_model("agencies", "Regency")
    province = Agency.objects.filter(kind="pemprov", province_id="31").first()
    if province is None:
        return
    for gov in Agency.objects.filter(kind__in=["pemkab", "pemkot"], province_id="31"):
        units = list(Agency.objects.filter(parent=gov))
        gov.kind, gov.level, gov.parent = "unit", "province", province
        gov.slug = f"pemprov-31-adm-{gov.regency_id}"
        gov.name = Regency.objects.get(pk=gov.regency_id).name
        gov.unit_type = ADMINISTRATIVE_REGION
        _move(gov, province, Agency, Report, province)
        for unit in units:
            unit.level = "province"
            if unit.name.startswith("Dinas "):
                unit.name = f"Suku {unit.name}"
            # Jakarta has one water company (PAM Jaya), none per city.
            if unit.unit_type == "pdam" and not Report.objects.filter(agency=unit).exists():
                unit.is_active = False
            _move(unit, gov, Agency, Report, province)


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0004_offices_and_service_areas"),
        ("complaints", "0008_report_matter"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
