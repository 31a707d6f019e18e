"""Saving with history: every service write names who made it and why; voiding, the one
correction a permanent record allows."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history import models as simple_history_models
from simple_history.manager import HistoryDescriptor

from powtracker import outbox
from powtracker.disclosed import version_check
from powtracker.errors import ErrorCode, RuleError
from powtracker.permanence import protect_authorship
from powtracker.roles import acting_partner
from powtracker.steps import Step, step_require


class _HistoryDescriptor(HistoryDescriptor):
    """simple-history's `Model.history`, without building a new manager class (and inspecting
    every queryset method) on each access: every save that writes history reads it once."""

    @cached_property
    def _manager_class(self) -> Any:
        return self.manager_class.from_queryset(self.queryset_class)

    def __get__(self, instance: Any, owner: Any) -> Any:
        return self._manager_class(self.model, instance)


class HistoricalRecords(simple_history_models.HistoricalRecords):
    """simple-history's HistoricalRecords whose `history_user` protects its user.

    simple-history hard-codes `on_delete=SET_NULL` for `history_user` (no option sets it), so
    deleting a user would erase who made each change; here the deletion is refused instead.
    """

    def _get_history_user_fields(self) -> dict[str, Any]:
        fields = super()._get_history_user_fields()
        if self.user_id_field is None:
            fields["history_user"] = models.ForeignKey(
                self.user_model or settings.AUTH_USER_MODEL,
                null=True,
                related_name=self.user_related_name,
                on_delete=protect_authorship,
                db_constraint=self.user_db_constraint,
            )
        return fields

    def finalize(self, sender: Any, **kwargs: Any) -> None:
        super().finalize(sender, **kwargs)
        descriptor = sender.__dict__.get(self.manager_name)
        if type(descriptor) is HistoryDescriptor:
            setattr(
                sender,
                self.manager_name,
                _HistoryDescriptor(
                    descriptor.model,
                    manager=descriptor.manager_class,
                    queryset=descriptor.queryset_class,
                ),
            )


def acting_person(acting_user: Any) -> Any:
    """The signed-in user behind a change, or None for the system itself."""
    return acting_user if getattr(acting_user, "is_authenticated", False) else None


def history_save(
    instance: models.Model,
    *,
    acting_user: Any,
    reason: str,
    update_fields: Iterable[str] | None = None,
) -> None:
    """Save with the acting user and a change reason in the history row, and announce the
    write to the outbox (powtracker.outbox)."""
    fields = list(update_fields) if update_fields is not None else None
    version_check(instance, fields)
    person = acting_person(acting_user)
    if person is not None:
        instance._history_user = person  # type: ignore[attr-defined]
    instance._change_reason = reason  # type: ignore[attr-defined]
    created = instance._state.adding
    instance.save(update_fields=fields)
    outbox.announce(instance, created=created)


def _history_mark(objs: Sequence[models.Model], *, acting_user: Any, reason: str) -> None:
    person = acting_person(acting_user)
    for instance in objs:
        if person is not None:
            instance._history_user = person  # type: ignore[attr-defined]
        instance._change_reason = reason  # type: ignore[attr-defined]


def history_bulk_create(
    objs: Sequence[models.Model], *, acting_user: Any, reason: str
) -> list[models.Model]:
    """Insert many new records at once, each with the history row history_save would write
    (type "+", the acting user, the reason). The records get their ids (PostgreSQL, SQLite
    3.35+). Like bulk_create, it runs no save() of the model: the caller sets what save() would
    (timestamps other than auto_now_add) and has validated the records."""
    if not objs:
        return []
    model = type(objs[0])
    _history_mark(objs, acting_user=acting_user, reason=reason)
    created = model._default_manager.bulk_create(objs)
    if any(instance.pk is None for instance in created):
        raise RuntimeError("bulk_create gave no ids: this database cannot write history rows")
    model.history.bulk_history_create(created)  # type: ignore[attr-defined]
    outbox.announce_many(created, created=True)
    return created


def history_bulk_update(
    objs: Sequence[models.Model], *, fields: Sequence[str], acting_user: Any, reason: str
) -> None:
    """Save `fields` of many records at once, each with the history row history_save(...,
    update_fields=fields) would write (type "~", the whole record as it now is, the acting
    user, the reason). Records that take the same values share one UPDATE. Like update(), it
    runs no save(): the caller sets `updated_at` and `disclosed_changed_at` itself when they
    are among the fields."""
    if not objs:
        return
    model = type(objs[0])
    attnames = [model._meta.get_field(name).attname for name in fields]
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for instance in objs:
        values = tuple(getattr(instance, attname) for attname in attnames)
        groups.setdefault(values, []).append(instance.pk)
    for values, pks in groups.items():
        model._default_manager.filter(pk__in=pks).update(**dict(zip(attnames, values, strict=True)))
    _history_mark(objs, acting_user=acting_user, reason=reason)
    model.history.bulk_history_create(objs, update=True)  # type: ignore[attr-defined]
    outbox.announce_many(objs)


def void_check(record: Any, reason: str) -> None:
    """Refuse to void a record twice, or without a reason."""
    if record.voided_at is not None:
        raise RuleError(ErrorCode.ALREADY_VOIDED, _("This record was voided already."))
    if not reason.strip():
        raise RuleError(ErrorCode.VOID_REASON_REQUIRED, _("Give the reason for voiding."))


def void_rights_check(
    *, acting_user: Any, author_id: int | None, decision: Step | None = None
) -> None:
    """Refuse a void that is not the acting user's to make.

    A partner (a partner's service user is `user.partner`) voids only what it recorded itself
    (`author_id`), never the bureau's records nor another partner's. A record that carries a
    supervisor's decision, such as an assessed statement, is voided only by a role that may take
    that decision: `decision` is its step (powtracker.steps).
    """
    if acting_partner(acting_user) is not None and author_id != acting_user.pk:
        raise RuleError(
            ErrorCode.PERMISSION_DENIED,
            _("A partner may void only what it recorded itself."),
        )
    if decision is not None:
        step_require(acting_user, decision)


def void_record(record: Any, *, acting_user: Any, reason: str) -> None:
    """Mark a record void, with who, when and why; it stays and is ignored from then on."""
    record.voided_at = timezone.now()
    record.voided_by = acting_person(acting_user)
    record.void_reason = reason.strip()
    history_save(
        record,
        acting_user=acting_user,
        reason=f"Voided: {record.void_reason}",
        update_fields=["voided_at", "voided_by", "void_reason"],
    )
