"""Who covers what: the one place that turns a user's roles into a scope.

``scope_for(user)`` is computed once per request (cached on the user object) and used by every
permission check, queryset filter, export and task.
"""

from dataclasses import dataclass, field

from .models import Agency, Role


@dataclass(frozen=True)
class Scope:
    """What a signed-in user covers. Empty for citizens and strangers."""

    # Agencies (or units) whose reports the user works, as their ``path`` prefixes.
    officer_paths: tuple[str, ...] = ()
    # Agencies the user administers (managing officers and units, whole inbox).
    admin_agency_ids: frozenset[int] = field(default_factory=frozenset)
    admin_paths: tuple[str, ...] = ()
    # Provinces the user supervises (read only).
    province_codes: frozenset[str] = field(default_factory=frozenset)
    national_admin: bool = False
    ombudsman: bool = False

    @property
    def is_staff_scope(self) -> bool:
        return bool(
            self.officer_paths or self.province_codes or self.national_admin or self.ombudsman
        )

    @property
    def works_reports(self) -> bool:
        """Officers and agency admins act on reports; supervisors and observers only read."""
        return bool(self.officer_paths)

    def covers_agency_path(self, path: str | None) -> bool:
        return bool(path) and any(path.startswith(p) for p in self.officer_paths)

    def administers_path(self, path: str | None) -> bool:
        return bool(path) and any(path.startswith(p) for p in self.admin_paths)


EMPTY = Scope()


def scope_for(user) -> Scope:
    """The user's scope; one query the first time per user object, none after."""
    if user is None or not getattr(user, "is_authenticated", False):
        return EMPTY
    cached = getattr(user, "_lapor_scope", None)
    if cached is not None:
        return cached
    roles = list(
        Role.objects.active()
        .filter(user=user)
        .select_related("agency")
        .only("kind", "province_id", "agency__path", "agency__is_active")
    )
    officer_paths, admin_paths, admin_ids, provinces = [], [], set(), set()
    national = ombudsman = False
    for role in roles:
        if role.kind in (Role.Kind.OFFICER, Role.Kind.AGENCY_ADMIN):
            if not role.agency.is_active:
                continue
            officer_paths.append(role.agency.path)
            if role.kind == Role.Kind.AGENCY_ADMIN:
                admin_paths.append(role.agency.path)
                admin_ids.add(role.agency_id)
        elif role.kind == Role.Kind.PROVINCE_SUPERVISOR:
            provinces.add(role.province_id)
        elif role.kind == Role.Kind.NATIONAL_ADMIN:
            national = True
        elif role.kind == Role.Kind.OMBUDSMAN:
            ombudsman = True
    scope = Scope(
        officer_paths=tuple(officer_paths),
        admin_agency_ids=frozenset(admin_ids),
        admin_paths=tuple(admin_paths),
        province_codes=frozenset(provinces),
        national_admin=national or user.is_superuser,
        ombudsman=ombudsman,
    )
    user._lapor_scope = scope
    return scope


def officer_agencies(user) -> list[Agency]:
    """The agencies (or units) the user works for as officer or admin. One query."""
    scope = scope_for(user)
    if not scope.officer_paths:
        return []
    return list(Agency.objects.filter(path__in=scope.officer_paths))
