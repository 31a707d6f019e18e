"""Validating a record's CHECK constraints in one query instead of one per constraint.

Django's `Model.validate_constraints` asks the database about each CheckConstraint separately,
each inside its own savepoint: a captive's 11 constraints cost 33 queries on every `full_clean`.
Here every CheckConstraint of a model is evaluated in a single SELECT, with Django's semantics
(an unknown result passes, as in the database; a constraint that reads an excluded field is
skipped), and refused with the same message and code. Other constraints (unique ones)
are validated by Django as before.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, FieldError, ValidationError
from django.db import IntegrityError, connections, models, router
from django.db.models import BooleanField, CheckConstraint, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE


def check_constraint_verdicts(
    instance: models.Model,
    model_class: type[models.Model],
    constraints: list[CheckConstraint],
    *,
    exclude: set[str] | None,
    using: str,
) -> dict[int, bool]:
    """Whether `instance` satisfies each CheckConstraint (by its index in `constraints`), asked
    in one query. A constraint that reads an excluded field has no verdict."""
    against = instance._get_field_expression_map(meta=model_class._meta, exclude=exclude)
    # Only the fields the conditions read (a field left out still makes its constraint skip).
    read = set().union(*(Q(c.condition).referenced_base_fields for c in constraints))
    for field in model_class._meta.concrete_fields:
        if read & {field.name, field.attname}:
            read |= {field.name, field.attname}
    query = Query(None)
    for name, value in against.items():
        if name not in read:
            continue
        if not hasattr(value, "resolve_expression"):
            value = Value(value)
        query.add_annotation(value, name, select=False)
    aliases: dict[str, int] = {}
    for index, constraint in enumerate(constraints):
        alias = f"__powtracker_check_{index}"
        try:
            query.add_annotation(
                Coalesce(Q(constraint.condition), True, output_field=BooleanField()), alias
            )
        except FieldError:
            continue  # it reads a field left out of validation: Django skips it too
        aliases[alias] = index
    if not aliases:
        return {}
    # Unlike Q.check, no savepoint and no "passes if the database cannot tell": the values are
    # those full_clean has just validated and the conditions plain comparisons, so a database
    # error here is a fault to raise, not a verdict.
    row = query.get_compiler(using=using).execute_sql(SINGLE)
    selected = list(query.annotation_select)
    return {aliases[alias]: bool(row[selected.index(alias)]) for alias in aliases}


class OneQueryConstraintsModel(models.Model):
    """A model whose `validate_constraints` asks about all its CHECK constraints at once, and
    whose `clean_fields` asks whether its foreign keys exist in one query per related model
    (Django asks once per field: a captive names the same state as nationality and power)."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude: Any = None) -> None:
        exclude = set(exclude or ())
        keys = [
            f
            for f in self._meta.fields
            if isinstance(f, models.ForeignKey)
            and f.name not in exclude
            and not f.generated
            and not f.remote_field.parent_link
            and not f.get_limit_choices_to()
            and not (f.blank and getattr(self, f.attname) in f.empty_values)
        ]
        errors: dict[str, Any] = {}
        try:
            super().clean_fields(exclude=exclude | {f.name for f in keys})
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        wanted: dict[tuple[type[models.Model], str], set[Any]] = {}
        cleaned = {}
        for f in keys:
            # What ForeignKey.clean does, but for the question whether the row exists.
            try:
                value = f.to_python(getattr(self, f.attname))
                models.Field.validate(f, value, self)
                f.run_validators(value)
            except ValidationError as e:
                errors[f.name] = e.error_list
                continue
            cleaned[f] = value
            if value is not None:
                wanted.setdefault((f.remote_field.model, f.remote_field.field_name), set()).add(
                    value
                )
        existing = {
            (model, field_name): set(
                model._base_manager.using(router.db_for_read(model, instance=self))
                .filter(**{f"{field_name}__in": values})
                .values_list(field_name, flat=True)
            )
            for (model, field_name), values in wanted.items()
        }
        for f, value in cleaned.items():
            key = (f.remote_field.model, f.remote_field.field_name)
            if value is not None and value not in existing[key]:
                errors[f.name] = [
                    ValidationError(
                        f.error_messages["invalid"],
                        code="invalid",
                        params={
                            "model": f.remote_field.model._meta.verbose_name,
                            "pk": value,
                            "field": f.remote_field.field_name,
                            "value": value,
                        },
                    )
                ]
            else:
                setattr(self, f.attname, value)
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude: Any = None) -> None:
        using = router.db_for_write(self.__class__, instance=self)
        supported = connections[using].features.supports_comparing_boolean_expr
        errors: dict[str, Any] = {}
        for model_class, model_constraints in self.get_constraints():
            checks = [c for c in model_constraints if type(c) is CheckConstraint]
            position = {id(c): index for index, c in enumerate(checks)}
            verdicts = (
                check_constraint_verdicts(self, model_class, checks, exclude=exclude, using=using)
                if supported and checks
                else None
            )
            for constraint in model_constraints:
                try:
                    if verdicts is not None and type(constraint) is CheckConstraint:
                        verdict = verdicts.get(position[id(constraint)], True)
                        if not verdict:
                            raise ValidationError(
                                constraint.get_violation_error_message(),
                                code=constraint.violation_error_code,
                            )
                    else:
                        constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as e:
                    # As Django's: a single-field unique constraint reports on its field.
                    if getattr(e, "code", None) == "unique" and len(constraint.fields) == 1:
                        errors.setdefault(constraint.fields[0], []).append(e)
                    else:
                        errors = e.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


@contextmanager
def constraint_refusals(*models_checked: type[models.Model]) -> Iterator[None]:
    """Turn the database's refusal of a CHECK constraint of `models_checked` into the
    ValidationError full_clean would have raised for it (the same message and code), so that a
    service may leave those constraints to the database (full_clean(validate_constraints=False))
    instead of asking about them first. The database reports the first constraint broken, where
    full_clean reports them all. The write must be inside the service's transaction, which the
    error then rolls back."""
    try:
        yield
    except IntegrityError as error:
        constraint = _check_constraint_broken(error, models_checked)
        if constraint is None:
            raise
        raise ValidationError(
            {
                NON_FIELD_ERRORS: [
                    ValidationError(
                        constraint.get_violation_error_message(),
                        code=constraint.violation_error_code,
                    )
                ]
            }
        ) from error


def _check_constraint_broken(
    error: IntegrityError, models_checked: tuple[type[models.Model], ...]
) -> CheckConstraint | None:
    checks = {
        c.name: c
        for model in models_checked
        for c in model._meta.constraints
        if type(c) is CheckConstraint
    }
    # PostgreSQL names it (psycopg's diagnostics); SQLite says "CHECK constraint failed: name".
    name = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
    if name is None:
        named = [known for known in checks if known in str(error)]
        name = max(named, key=len) if named else None
    return checks.get(name) if name else None
