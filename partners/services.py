"""Every write about partners: creating and revoking clients, sharing cases, the read ledger."""

import secrets
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from oauth2_provider.models import AccessToken, Application, RefreshToken

from cases.choices import CAPTIVE_REGISTER_BY_PARTNER
from cases.models import Captive
from cases.services import captive_register
from partners.choices import (
    CASE_SHARE,
    CASE_SHARE_STOP,
    PARTNER_CHANGE,
    PARTNER_REGISTER,
    PARTNER_REVOKE,
    DisclosureLevel,
)
from partners.models import CaseShare, DisclosureRecord, Partner
from powtracker.errors import ErrorCode, RuleError
from powtracker.history import acting_person, history_save, void_check, void_record
from powtracker.roles import acting_partner
from powtracker.steps import step_require
from powtracker.writes import service

# What a partner's writes may do, by scope; the services check these like any role's.
SCOPE_PERMISSIONS = {
    "cases:register": [
        ("cases", "add_captive"),
        ("cases", "add_captivename"),
        ("cases", "add_custodyevent"),
        ("cases", "add_involvement"),
    ],
    "cases:write": [
        ("cases", "add_custodyevent"),
        ("cases", "change_custodyevent"),
        ("cases", "add_wishstatement"),
        ("cases", "change_wishstatement"),
        ("cases", "change_captive"),
    ],
    "diplomacy:write": [
        ("diplomacy", "change_exchangeproposal"),
        ("diplomacy", "add_transferrequest"),
        ("diplomacy", "change_transferrequest"),
    ],
}


def _check_scopes(scopes: Iterable[str]) -> list[str]:
    from django.conf import settings

    wanted = sorted(set(scopes))
    unknown = [s for s in wanted if s not in settings.API_SCOPES]
    if unknown or not wanted:
        raise RuleError(
            ErrorCode.INVALID,
            _("Unknown or missing scopes: %(scopes)s. Known: %(known)s."),
            {
                "scopes": ", ".join(unknown) or pgettext("no scopes", "none"),
                "known": ", ".join(settings.API_SCOPES),
            },
        )
    return wanted


@service
def partner_create(
    *,
    acting_user: Any,
    name: str,
    kind: str,
    scopes: Iterable[str],
    state: Any = None,
    default_level: str = DisclosureLevel.IDENTITY,
) -> tuple[Partner, str]:
    """Register a partner as an OAuth2 client; return it and its secret, shown only this once."""
    step_require(acting_user, PARTNER_REGISTER)
    scope_list = _check_scopes(scopes)
    User = get_user_model()
    user = User(username=f"partner-{slugify(name)[:40]}-{secrets.token_hex(3)}", is_active=True)
    user.set_unusable_password()
    user.save()
    for scope in scope_list:
        for app_label, codename in SCOPE_PERMISSIONS.get(scope, []):
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    secret = secrets.token_urlsafe(48)
    application = Application.objects.create(
        name=name,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,  # hashed on save
        user=None,
    )
    partner = Partner(
        name=name,
        kind=kind,
        state=state,
        application=application,
        service_user=user,
        scopes=" ".join(scope_list),
        default_level=default_level,
    )
    partner.full_clean()
    history_save(partner, acting_user=acting_user, reason="Registered")
    return partner, secret


@service
def partner_revoke(*, acting_user: Any, partner: Partner, reason: str) -> Partner:
    """Revoke a partner: its tokens stop working at once and it gets no new ones."""
    step_require(acting_user, PARTNER_REVOKE)
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if partner.revoked_at is not None:
        raise RuleError(ErrorCode.ALREADY_VOIDED, _("This partner was revoked already."))
    if not reason.strip():
        raise RuleError(ErrorCode.REASON_REQUIRED, _("Say why the partner is revoked."))
    now = timezone.now()
    # A secret nobody knows: the client can no longer even ask for a token.
    application = partner.application
    application.client_secret = secrets.token_urlsafe(48)
    application.save(update_fields=["client_secret"])
    # Tokens are credentials, not case records: expiring them is the revocation.
    AccessToken.objects.filter(application=partner.application).update(expires=now)
    RefreshToken.objects.filter(application=partner.application, revoked__isnull=True).update(
        revoked=now
    )
    partner.revoked_at = now
    partner.revocation_reason = reason.strip()
    history_save(
        partner,
        acting_user=acting_user,
        reason=f"Revoked: {partner.revocation_reason}",
        update_fields=["revoked_at", "revocation_reason"],
    )
    return partner


@service
def case_share_grant(
    *, acting_user: Any, partner: Partner, captive: Captive, level: str, reason: str
) -> CaseShare:
    """Share one case with a partner at a level (replacing any share it had)."""
    step_require(acting_user, CASE_SHARE)
    if not reason.strip():
        raise RuleError(ErrorCode.REASON_REQUIRED, _("Say why the case is shared."))
    for previous in (
        CaseShare.objects.active().select_for_update().filter(partner=partner, captive=captive)
    ):
        void_record(previous, acting_user=acting_user, reason="Replaced by a new share")
    share = CaseShare(
        partner=partner,
        captive=captive,
        level=level,
        reason=reason.strip(),
        granted_by=acting_person(acting_user),
    )
    share.full_clean()
    history_save(share, acting_user=acting_user, reason="Shared")
    return share


def disclosure_record(
    *, partner: Partner, reads: Iterable[tuple[int, str]], method: str, path: str
) -> None:
    """Write one ledger row per captive read (captive id, level), in one insert."""
    DisclosureRecord.objects.bulk_create(
        DisclosureRecord(
            partner=partner, captive_id=captive_id, level=level, method=method, path=path[:300]
        )
        for captive_id, level in reads
    )


@service
def case_share_void(*, acting_user: Any, share: CaseShare, reason: str) -> CaseShare:
    """Stop sharing a case; the share stays on record with who stopped it and why."""
    step_require(acting_user, CASE_SHARE_STOP)
    share = CaseShare.objects.select_for_update().get(pk=share.pk)
    void_check(share, reason)
    void_record(share, acting_user=acting_user, reason=reason)
    return share


@service
def partner_level_set(*, acting_user: Any, partner: Partner, default_level: str) -> Partner:
    """Change what a partner sees of the cases its state is involved in, unless a share says
    more (supervisors)."""
    step_require(acting_user, PARTNER_CHANGE)
    locked = Partner.objects.select_for_update().get(pk=partner.pk)
    locked.default_level = default_level
    locked.full_clean()
    history_save(
        locked,
        acting_user=acting_user,
        reason=f"Default level set to {default_level}",
        update_fields=["default_level"],
    )
    return locked


@service
def captive_register_as_partner(*, acting_user: Any, **fields: Any) -> Captive:
    """A partner state's agency registers a captive its own state holds (POST /captives/): its
    state is his detaining power, recorded as involved in his case as every registration
    records it (so the agency sees him). Any other partner (a tracing agency, a humanitarian
    body) registers no one, and nor does a person through this door."""
    partner = acting_partner(acting_user)
    if partner is None:
        # A person registers through the admin, never through this door.
        raise Partner.register_refusal()
    partner.register_check(partner.state)
    step_require(acting_user, CAPTIVE_REGISTER_BY_PARTNER)
    return captive_register(
        acting_user=acting_user,
        detaining_power=partner.state,
        reason="Registered",
        **fields,
    )
