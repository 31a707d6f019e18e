"""Duplicates: deciding whether two registrations are one man, and linking them."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import (
    DUPLICATE_DECIDE,
    DuplicateVerdict,
    NameSystem,
)
from cases.models import (
    Captive,
    CaptiveName,
    DuplicateDecision,
    name_keys_add,
)
from cases.names import name_forms, name_skeleton
from cases.services.common import User, captive_writable_check
from powtracker.disclosed import version_fields
from powtracker.errors import ErrorCode, RuleError
from powtracker.history import (
    acting_person,
    history_save,
)
from powtracker.steps import step_require
from powtracker.writes import service

# --- duplicates --------------------------------------------------------------------------------


def duplicate_decision_for(captive: Captive, other: Captive) -> DuplicateDecision | None:
    """The decision taken about this pair, whichever way round it is given."""
    first, second = sorted([captive.pk, other.pk])
    return DuplicateDecision.objects.filter(first_id=first, second_id=second).first()


@service
def duplicate_decide(
    *, acting_user: User, captive: Captive, other: Captive, decision: str, note: str = ""
) -> DuplicateDecision:
    """Record the caseworker's decision about two records proposed as the same person.

    `same_person`: `captive` becomes a linked duplicate of `other`, the case kept. Nothing is
    deleted: he stays, read-only (every service refuses to write him), pointing to the kept case,
    and his renderings of the name — his Latin name, his name in the original script and his other
    renderings — are copied to the kept case as aliases, so that every name search (admin, API,
    duplicates) that would have found him finds the kept case. `not_same`: remembered, so the
    pair is never proposed again. Either way one decision a pair, kept for ever.
    """
    step_require(acting_user, DUPLICATE_DECIDE)
    decision = DuplicateVerdict(decision)
    if captive.pk == other.pk:
        raise RuleError(ErrorCode.INVALID, _("A record cannot be a duplicate of itself."))
    # Both locked, in id order (so that two decisions about the same pair cannot deadlock).
    locked = {
        c.pk: c
        for c in Captive.objects.select_for_update()
        .filter(pk__in=[captive.pk, other.pk])
        .order_by("pk")
    }
    captive, other = locked[captive.pk], locked[other.pk]
    if duplicate_decision_for(captive, other) is not None:
        raise RuleError(
            ErrorCode.ALREADY_DECIDED,
            _("%(case)s and %(other)s were decided about already."),
            {"case": captive.case_number, "other": other.case_number},
        )
    if decision == DuplicateVerdict.SAME_PERSON:
        captive_writable_check(captive)
        captive_writable_check(other)
        if captive.duplicates.exists():
            raise RuleError(
                ErrorCode.LINKED_DUPLICATE,
                _(
                    "Other records are linked duplicates of %(case)s: keep %(case)s, and mark "
                    "%(other)s as its duplicate instead."
                ),
                {"case": captive.case_number, "other": other.case_number},
            )
    first, second = sorted([captive, other], key=lambda c: c.pk)
    record = DuplicateDecision(
        first=first,
        second=second,
        decision=decision,
        duplicate=captive if decision == DuplicateVerdict.SAME_PERSON else None,
        note=note.strip(),
        decided_by=acting_person(acting_user),
        decided_at=timezone.now(),
    )
    record.full_clean()
    history_save(
        record, acting_user=acting_user, reason=f"Decided: {record.get_decision_display()}"
    )
    if decision == DuplicateVerdict.SAME_PERSON:
        _duplicate_link(captive, kept=other, acting_user=acting_user)
    return record


def _duplicate_link(duplicate: Captive, *, kept: Captive, acting_user: User) -> None:
    """Point the duplicate to the kept case, and give the kept case his renderings as aliases."""
    duplicate.duplicate_of = kept
    history_save(
        duplicate,
        acting_user=acting_user,
        reason=f"Linked duplicate of {kept.case_number}",
        update_fields=version_fields(duplicate, ["duplicate_of"]),
    )
    renderings = [duplicate.name_latin, duplicate.name_original]
    renderings += list(duplicate.names.values_list("full_name", flat=True))
    existing = set(kept.names.values_list("system", "full_name"))
    note = f"From linked duplicate {duplicate.case_number}"[:200]
    for full_name in dict.fromkeys(name.strip() for name in renderings):
        if not full_name or (NameSystem.ALIAS, full_name) in existing:
            continue
        alias = CaptiveName(captive=kept, system=NameSystem.ALIAS, full_name=full_name, note=note)
        alias.full_clean(exclude=["captive"])
        alias.skeleton = name_skeleton(alias.full_name)
        history_save(alias, acting_user=acting_user, reason=note)
        name_keys_add(kept.pk, name_forms(alias.full_name))
    # His renderings are part of what every reader sees of the kept case: a new version, so
    # ETags, `updated_at` and `updated_since` tell partners to read him again.
    kept.disclosed_changed_at = timezone.now()
    history_save(
        kept,
        acting_user=acting_user,
        reason=note,
        update_fields=["disclosed_changed_at", "updated_at"],
    )
