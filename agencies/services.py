"""Writes for agencies and people."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .models import Agency, Province, Role, User


@transaction.atomic
def agency_create(
    *,
    name: str,
    slug: str,
    kind: str,
    parent: Agency | None = None,
    level: str | None = None,
    unit_type: str = "",
    acronym: str = "",
    province: Province | None = None,
    regency=None,
) -> Agency:
    """Creates an agency or, with ``parent``, a work unit under it (any depth).

    A unit inherits its parent's level and region unless given."""
    if parent is not None:
        level = level or parent.level
        province = province or parent.province
        regency = regency or parent.regency
    agency = Agency.objects.create(
        name=name,
        slug=slug,
        kind=kind,
        level=level or Agency.Level.NATIONAL,
        parent=parent,
        unit_type=unit_type,
        acronym=acronym,
        province=province,
        regency=regency,
        path="",
    )
    agency.path = f"{parent.path if parent else ''}{agency.pk}/"
    agency.depth = parent.depth + 1 if parent else 0
    agency.save(update_fields=["path", "depth"])
    return agency


def role_grant(
    *,
    user: User,
    kind: str,
    agency: Agency | None = None,
    province: Province | None = None,
    decree: str = "",
) -> Role:
    """Gives ``user`` a role (officer, agency admin, supervisor, ...), or re-activates it."""
    role, created = Role.objects.get_or_create(
        user=user,
        kind=kind,
        agency=agency,
        province=province,
        defaults={"decree": decree},
    )
    if not created and not role.is_active:
        role.is_active = True
        role.save(update_fields=["is_active"])
    if kind == Role.Kind.NATIONAL_ADMIN:
        # National admins edit agencies, categories, rules and time limits in /admin/.
        user.groups.add(national_admin_group())
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    user.__dict__.pop("_lapor_scope", None)
    return role


def ppid_superior_record(*, agency: Agency, user: User) -> Role:
    """Records ``user`` as the atasan PPID of ``agency`` (UU 14/2008 Pasal 35-36: objections to
    information requests go to the PPID's superior). A top-level agency only, and a person who
    already works for it (an officer or admin of the agency itself), so that they can open the
    requests they answer; the role opens nothing else."""
    if agency.parent_id is not None:
        raise ValueError("not a top-level agency")
    staff = Role.objects.active().filter(
        user=user, agency=agency, kind__in=[Role.Kind.OFFICER, Role.Kind.AGENCY_ADMIN]
    )
    if not staff.exists():
        raise ValueError("not staff of the agency")
    return role_grant(user=user, kind=Role.Kind.PPID_SUPERIOR, agency=agency)


def role_revoke(*, role: Role) -> None:
    role.is_active = False
    role.save(update_fields=["is_active"])


NATIONAL_ADMIN_GROUP = "Admin nasional"


def national_admin_group() -> Group:
    """The admin-site permissions of national admins: everything on regions, agencies, people,
    categories, rules and time limits; read-only on reports and their events."""
    group, created = Group.objects.get_or_create(name=NATIONAL_ADMIN_GROUP)
    if created or not group.permissions.exists():
        perms = Permission.objects.filter(content_type__app_label__in=["agencies", "routing"])
        perms = perms | Permission.objects.filter(
            content_type__app_label="complaints",
            content_type__model__in=["timelimit", "nonworkingday"],
        )
        perms = perms | Permission.objects.filter(
            content_type__app_label="complaints", codename__startswith="view_"
        )
        group.permissions.set(perms)
    return group


def agency_set_round_robin(*, agency: Agency, enabled: bool) -> None:
    """Turns on or off the sharing of an agency's or unit's new reports among its officers."""
    Agency.objects.filter(pk=agency.pk).update(round_robin=enabled)


# --- SK pengelola (Appointment) -----------------------------------------------------------

PDF_MAX_BYTES = 5 * 1024 * 1024


def may_record_appointment(actor: User, agency: Agency) -> bool:
    """National admins, and the agency's own admins (of the top-level agency)."""
    from .scope import scope_for

    scope = scope_for(actor)
    return scope.national_admin or agency.pk in scope.admin_agency_ids


@transaction.atomic
def appointment_record(
    *, agency: Agency, actor: User, number: str, signed_on, valid_until, appointees: str, file
):
    """Records an agency's SK pengelola (checked: a PDF of at most 5 MB, dates in order,
    someone appointed). Raises PermissionError for anyone else than ``may_record_appointment``
    and ValueError on a bad decree."""
    from .models import Appointment

    if agency.parent_id is not None:
        raise ValueError("an SK belongs to a top-level agency")
    if not may_record_appointment(actor, agency):
        raise PermissionError
    if valid_until < signed_on:
        raise ValueError("valid_until before signed_on")
    if not [line for line in appointees.splitlines() if line.strip()]:
        raise ValueError("nobody appointed")
    if file.size > PDF_MAX_BYTES:
        raise ValueError("file too large")
    head = file.read(5)
    file.seek(0)
    if head != b"%PDF-":
        raise ValueError("not a PDF")
    return Appointment.objects.create(
        agency=agency,
        number=number.strip(),
        signed_on=signed_on,
        valid_until=valid_until,
        appointees=appointees.strip(),
        file=file,
        entered_by=actor,
    )
