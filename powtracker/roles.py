"""The staff roles and their permissions. Nobody gets a delete permission: records are permanent."""

from typing import Any

CASEWORK_MODELS = {
    "cases": [
        "captive",
        "duplicatedecision",
        "captivename",
        "custodyevent",
        "wishstatement",
        "obligation",
        "mediarecord",
        "involvement",
    ],
    "diplomacy": [
        "exchangeproposal",
        "offeredcaptive",
        "requestedperson",
        "diplomaticcontact",
        "transferrequest",
    ],
}
REFERENCE_MODELS = {"states": ["state"]}
# What only a supervisor may decide.
SUPERVISION = {
    ("cases", "assess_wishstatement"),
    ("cases", "add_nonrefoulementreview"),
    ("cases", "change_nonrefoulementreview"),
    ("diplomacy", "agree_exchangeproposal"),
    ("diplomacy", "execute_exchangeproposal"),
    ("diplomacy", "approve_transferrequest"),
    ("partners", "add_partner"),
    ("partners", "change_partner"),
    ("partners", "add_caseshare"),
    ("partners", "change_caseshare"),
    # The sign-in audit (django-axes): successes, failures, lockout counts.
    ("axes", "view_accesslog"),
    ("axes", "view_accessfailurelog"),
    ("axes", "view_accessattempt"),
    # Lifting a lockout before its cool-off ends, and the record of each lift.
    ("partners", "add_lockoutlift"),
    ("partners", "view_lockoutlift"),
    # Partners' webhook endpoints, their deliveries and attempts; redelivering one.
    ("webhooks", "add_webhookendpoint"),
    ("webhooks", "change_webhookendpoint"),
    ("webhooks", "view_webhookendpoint"),
    ("webhooks", "view_webhookdelivery"),
    ("webhooks", "redeliver_webhookdelivery"),
    ("webhooks", "view_webhookattempt"),
}
# Views that only SUPERVISION grants, although every role reads the rest of their app.
SUPERVISORS_ONLY_VIEWS = {("partners", "view_lockoutlift")}

# Every staff role may export the lists it reads; supervisors read the export audit.
EXPORTING = {("reports", "export")}
EXPORT_AUDIT = {("reports", "view_exportrecord"), ("reports", "view_exportjob")}
# Supervisors follow the background jobs (exports, and what else runs in a worker).
JOBS = {("jobs", "view_job")}
# Caseworkers and supervisors print the GC III documents; every staff role reads their register.
DOCUMENTS = {("reports", "generate")}
DOCUMENT_REGISTER = {("reports", "view_generateddocument")}

# Caseworkers and supervisors import lists of names; every staff role reads the imports.
IMPORTING = {("imports", "run_import")}
IMPORT_REGISTER = {("imports", "view_importbatch")}

ROLE_CASEWORKER = "caseworker"
ROLE_SUPERVISOR = "supervisor"
ROLE_ANALYST = "analyst"


def _codenames(models: dict[str, list[str]], actions: list[str]) -> set[tuple[str, str]]:
    return {
        (app, f"{action}_{model}")
        for app, names in models.items()
        for model in names
        for action in actions
    }


def role_permissions() -> dict[str, set[tuple[str, str]]]:
    """(app label, codename) pairs each role holds, besides viewing every case record."""
    edit_cases = _codenames(CASEWORK_MODELS, ["add", "change"])
    return {
        ROLE_CASEWORKER: edit_cases
        | EXPORTING
        | DOCUMENTS
        | DOCUMENT_REGISTER
        | IMPORTING
        | IMPORT_REGISTER,
        ROLE_SUPERVISOR: edit_cases
        | _codenames(REFERENCE_MODELS, ["add", "change"])
        | SUPERVISION
        | EXPORTING
        | EXPORT_AUDIT
        | JOBS
        | DOCUMENTS
        | DOCUMENT_REGISTER
        | IMPORTING
        | IMPORT_REGISTER,
        ROLE_ANALYST: EXPORTING | DOCUMENT_REGISTER | IMPORT_REGISTER,
    }


def roles_sync(apps: Any) -> None:
    """Create the role groups and set exactly their permissions (idempotent).

    `apps` is a migration's app registry, or django.apps.apps outside migrations.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # Inside a migration the app configs have no models module yet, and without one
        # create_permissions does nothing.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    viewing = Permission.objects.filter(
        content_type__app_label__in=["states", "cases", "diplomacy", "partners"],
        codename__startswith="view_",
    )
    for app_label, codename in SUPERVISORS_ONLY_VIEWS:
        viewing = viewing.exclude(content_type__app_label=app_label, codename=codename)
    for role, pairs in role_permissions().items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = list(viewing)
        for app_label, codename in sorted(pairs):
            # A permission of a model that a later migration adds is granted by that migration.
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)


def acting_partner(acting_user: Any) -> Any:
    """The partner whose service account is acting, or None for a person or the system."""
    return getattr(acting_user, "partner", None) if acting_user is not None else None


def role_allows(acting_user: Any, permission: str) -> bool:
    """Whether the acting user's role grants `permission` ("app.codename"). `acting_user=None` is
    the system itself (migrations, the demo loader), never a person: the admin and the API always
    pass the signed-in user."""
    return acting_user is None or acting_user.has_perm(permission)


def role_require(acting_user: Any, permission: str, action: str) -> None:
    """Refuse `action` unless the acting user's role grants `permission` (role_allows)."""
    from django.utils.translation import gettext_lazy as _

    from powtracker.errors import ErrorCode, RuleError

    if not role_allows(acting_user, permission):
        raise RuleError(
            ErrorCode.PERMISSION_DENIED,
            _("Your role does not allow you to %(action)s."),
            {"action": action},
        )
