"""Factories for domain objects. Reports are filed through the real service, so every report a
test makes has its first audit event, as in production."""

import io
import itertools
from types import SimpleNamespace

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from agencies.models import Agency, Role, User
from agencies.services import role_grant
from complaints.models import Channel, Kind
from complaints.services import NewReport, attachment_save, report_submit, report_transition
from complaints.uploads import check_upload

_seq = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@example.id")
    email = factory.LazyAttribute(lambda u: u.username)
    full_name = factory.Faker("name", locale="id_ID")
    email_verified = True
    password = factory.PostGenerationMethodCall("set_password", "sandi-rahasia-123")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


PASSWORD = "sandi-rahasia-123"


def make_user(**kwargs) -> User:
    return UserFactory(**kwargs)


def make_staff(kind: str, *, agency: Agency | None = None, province=None, **kwargs) -> User:
    user = make_user(**kwargs)
    role_grant(user=user, kind=kind, agency=agency, province=province)
    return user


def make_cast(agency_a: Agency, agency_b: Agency) -> SimpleNamespace:
    from agencies.models import Province

    return SimpleNamespace(
        citizen=make_user(full_name="Siti Warga"),
        officer_a=make_staff(Role.Kind.OFFICER, agency=agency_a, full_name="Petugas A"),
        officer_b=make_staff(Role.Kind.OFFICER, agency=agency_b, full_name="Petugas B"),
        admin_a=make_staff(Role.Kind.AGENCY_ADMIN, agency=agency_a, full_name="Admin A"),
        supervisor=make_staff(
            Role.Kind.PROVINCE_SUPERVISOR,
            province=Province.objects.get(code=agency_a.province_id),
            full_name="Pengawas Jabar",
        ),
        national=make_staff(Role.Kind.NATIONAL_ADMIN, full_name="Admin Nasional"),
        ombudsman=make_staff(Role.Kind.OMBUDSMAN, full_name="Pengamat Ombudsman"),
        stranger=make_user(full_name="Orang Lain"),
    )


def new_report(**overrides) -> NewReport:
    n = next(_seq)
    values = {
        "kind": Kind.COMPLAINT,
        "title": f"Jalan berlubang nomor {n}",
        "description": "Jalan di depan sekolah berlubang besar dan membahayakan pengendara.",
        "province_id": "32",
        "regency_id": "3273",
        "channel": Channel.WEB,
        "reporter_name": "Budi Santoso",
        "reporter_email": f"budi{n}@example.id",
    }
    values.update(overrides)
    return NewReport(**values)


def file_report(reporter=None, **overrides):
    return report_submit(data=new_report(**overrides), reporter=reporter)


def published_report(national_admin: User | None = None, **overrides):
    """A report filed and verified by national triage through the status machine: public from
    then on unless confidential (Report.objects.public)."""
    admin = national_admin or make_staff(Role.Kind.NATIONAL_ADMIN)
    report = file_report(**overrides)
    return report_transition(report_id=report.pk, action="verify", actor=admin)


def dispatched_report(agency: Agency, national_admin: User, **overrides):
    """A report filed, verified and dispatched to ``agency`` through the status machine."""
    report = file_report(**overrides)
    report_transition(report_id=report.pk, action="verify", actor=national_admin)
    return report_transition(
        report_id=report.pk, action="dispatch", actor=national_admin, agency=agency
    )


def attach_photo(report):
    """A small PNG attached to ``report`` through the real upload check and service."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG")
    upload = SimpleUploadedFile("bukti.png", buffer.getvalue(), content_type="image/png")
    return attachment_save(report=report, upload=check_upload(upload))


def enrol_totp(user):
    """A confirmed TOTP device for ``user`` (as after enrolment), made once."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Aplikasi autentikator")


def totp_code(device) -> str:
    """The code the user's authenticator app shows now."""
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def otp_verify(client, user) -> None:
    """Marks the client's session as having passed the second factor (django_otp.login), as
    a staff member who gave their code. Staff tests get this from client.force_login."""
    from django_otp import DEVICE_ID_SESSION_KEY

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = enrol_totp(user).persistent_id
    session.save()
