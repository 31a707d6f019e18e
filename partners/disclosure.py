"""Minimum disclosure (rule 4): which cases a reader sees, and how much of each — stated once.

A partner sees a case only if its state is involved in it or the case is shared with it; the
level is the share's, else the partner's default.

A partner is *hostile* to a captive if its state is, by any record, his power depended on or that
power's ally (an involvement in either role, ended ones included), or his nationality (today's or
any he was recorded with before: his history keeps them). Where neither his power nor his
nationality is known, every state agency is hostile to him (and so is a state agency that speaks
for no state): only a humanitarian body or a tracing agency at full level may then read his
wishes. Whatever its level, scopes or shares, a hostile partner never
receives his wishes (any of them: a wish to remain endangers a family as surely as one to
defect), nor other states' contacts and transfer requests about him, nor the involvements of
states that offer to receive him (the diplomacy records' read filters: partners.selectors).

Non-interference: what any partner receives may not depend on what is hidden from it. So a reader
who may not see a captive's wishes reads a version of him — `updated_at`, the ETag, `updated_since`
and the ordering by change — that wish statements never move (`Captive.disclosed_changed_at`),
and the wish endpoints answer such a reader alike for every captive. Whether a partner is hostile
depends only on records it may see (his nationality, the states involved in his case), never on
what he said.

Staff signed in to the admin see everything.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from cases.choices import HIDDEN_FROM_HOSTILE_ROLES, HOSTILE_ROLES
from cases.models import Captive, Involvement
from partners.choices import DisclosureLevel, PartnerKind, level_at_least
from partners.models import CaseShare, Partner


@dataclass(frozen=True)
class Viewer:
    """Who is reading: a partner with its scopes, or a staff user (partner None)."""

    partner: Partner | None
    scopes: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_staff(self) -> bool:
        return self.partner is None

    @property
    def state_id(self) -> int:
        """The partner's state, or an id no state has (a stateless partner is nobody's enemy)."""
        if self.partner is None or self.partner.state_id is None:
            return -1
        return self.partner.state_id

    def has_scope(self, scope: str) -> bool:
        return self.is_staff or scope in self.scopes


def viewer_for(request: Any) -> Viewer:
    token = getattr(request, "auth", None)
    partner = getattr(token, "partner", None)
    if partner is None:
        return Viewer(partner=None)
    return Viewer(partner=partner, scopes=frozenset(token.scope.split()))


# --- hostility: decided by what the partner sees, never by what the captive said -----------------


def _speaks_for_no_known_state(viewer: Viewer) -> bool:
    """A state agency with no state: nobody can tell whose enemy it is, so it is everyone's."""
    return viewer.partner.kind == PartnerKind.STATE_AGENCY and viewer.partner.state_id is None


def hostile_q(viewer: Viewer, prefix: str = "") -> Q:
    """Captives (at `prefix`) to whom the viewer is hostile: its state is or was his nationality,
    or by any involvement (ended or not) his power or its ally; or, for a state agency, neither his
    power nor his nationality is known. Fails closed: a fact missing makes him hidden."""
    if viewer.is_staff:
        return Q(pk__in=[])
    if _speaks_for_no_known_state(viewer):
        return Q(**{f"{prefix}pk__isnull": False})
    # Any nationality he was ever recorded with (his history keeps each), not only today's:
    # correcting a nationality must not open his wishes to the state it names no more.
    by_record = (
        Q(**{f"{prefix}nationality_id": viewer.state_id})
        | Q(
            **{
                f"{prefix}pk__in": Captive.history.model.objects.filter(
                    nationality_id=viewer.state_id
                ).values("id")
            }
        )
        | Q(
            **{
                f"{prefix}pk__in": Involvement.objects.filter(
                    state_id=viewer.state_id, role__in=HOSTILE_ROLES
                ).values("captive_id")
            }
        )
    )
    if viewer.partner.kind != PartnerKind.STATE_AGENCY:
        return by_record
    unknown = Q(
        **{f"{prefix}nationality__isnull": True, f"{prefix}power_depended_on__isnull": True}
    )
    return by_record | unknown


def is_hostile(viewer: Viewer, captive: Captive) -> bool:
    """Whether the viewer is hostile to him (hostile_q, for one captive): read from the
    annotation captives_for gives, else asked of the database."""
    if viewer.is_staff:
        return False
    annotated = getattr(captive, "viewer_hostile", None)
    if annotated is not None:
        return bool(annotated)
    return Captive.objects.filter(hostile_q(viewer), pk=captive.pk).exists()


# --- captives ------------------------------------------------------------------------------


def level_q(viewer: Viewer, wanted: str) -> Q:
    """A filter on an annotated captive queryset: the captives seen at `wanted` or above."""
    if viewer.is_staff:
        return Q()
    levels = [lvl for lvl in DisclosureLevel.values if level_at_least(lvl, wanted)]
    by_share = Q(shared_level__in=levels)
    if level_at_least(viewer.partner.default_level, wanted):
        return by_share | Q(shared_level__isnull=True)
    return by_share


def wishes_q(viewer: Viewer) -> Q:
    """The captives (annotated by `captives_for`) whose wishes this viewer may see: full level,
    `wishes:read`, and not hostile to him."""
    if viewer.is_staff:
        return Q()
    if not viewer.has_scope("wishes:read"):
        return Q(pk__in=[])
    return level_q(viewer, DisclosureLevel.FULL) & Q(viewer_hostile=False)


def captives_for(viewer: Viewer, queryset: QuerySet[Captive] | None = None) -> QuerySet[Captive]:
    """The captives the viewer may see, annotated with `shared_level` (the level of an active
    share, if any), `state_involved`, `viewer_hostile` (hostile_q), and `shown_updated_at` —
    his `updated_at` as this reader may know it (wish statements move it only for those who may
    see them)."""
    queryset = Captive.objects.all() if queryset is None else queryset
    if viewer.is_staff:
        return queryset.annotate(
            shared_level=Value(DisclosureLevel.FULL),
            state_involved=Value(True),
            viewer_hostile=Value(False),
            shown_updated_at=F("updated_at"),
        )
    involved = Involvement.objects.filter(state_id=viewer.state_id).values("captive_id")
    shared = CaseShare.objects.filter(partner=viewer.partner, voided_at__isnull=True)
    if shared.exists():
        queryset = queryset.annotate(
            shared_level=Subquery(
                shared.filter(captive=OuterRef("pk")).order_by().values("level")[:1]
            ),
            state_involved=Exists(
                Involvement.objects.filter(captive=OuterRef("pk"), state_id=viewer.state_id)
            ),
        )
        # Who is visible is decided by the two id sets, each read once through its index, not
        # by the annotations above, which the database would compute for every captive first.
        visible = Q(pk__in=involved) | Q(pk__in=shared.values("captive_id"))
    else:
        # A partner without shares (most) sees exactly the captives its state is involved with:
        # a plain semi-join, which PostgreSQL walks in the list's order and stops at the page's
        # end, and no per-row subqueries (each would make it hash every id it may see first).
        queryset = queryset.annotate(
            shared_level=Value(None, output_field=CharField()), state_involved=Value(True)
        )
        visible = Q(pk__in=involved)
    queryset = queryset.annotate(
        viewer_hostile=Case(
            When(hostile_q(viewer), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    ).annotate(
        shown_updated_at=Case(
            When(wishes_q(viewer), then=F("updated_at")), default=F("disclosed_changed_at")
        )
    )
    return queryset.filter(visible)


def captive_level(viewer: Viewer, captive: Captive) -> str:
    """The level at which the viewer sees this (annotated) captive."""
    if viewer.is_staff:
        return DisclosureLevel.FULL
    return captive.shared_level or viewer.partner.default_level


def level_allows(viewer: Viewer, captive: Captive, wanted: str) -> bool:
    """Whether the viewer sees this (annotated) captive at `wanted` or above."""
    return level_at_least(captive_level(viewer, captive), wanted)


def may_see_wishes(viewer: Viewer, captive: Captive) -> bool:
    """The wish rule for one (annotated) captive: full level, `wishes:read`, and not hostile."""
    return (
        viewer.has_scope("wishes:read")
        and level_allows(viewer, captive, DisclosureLevel.FULL)
        and not is_hostile(viewer, captive)
    )


def may_see_reasons(viewer: Viewer, captive: Captive) -> bool:
    """Whether the reasons written in his history reach the viewer: they may speak of his wishes
    or health, so only a full-level reader who is not hostile to him reads them."""
    return level_allows(viewer, captive, DisclosureLevel.FULL) and not is_hostile(viewer, captive)


def involvements_for(viewer: Viewer, captive: Captive) -> QuerySet[Involvement]:
    """The states involved in his case, as far as the viewer may know of them."""
    involvements = captive.involvements.all()
    if is_hostile(viewer, captive):
        involvements = involvements.exclude(role__in=HIDDEN_FROM_HOSTILE_ROLES)
    return involvements
