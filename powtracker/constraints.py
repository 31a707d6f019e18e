"""Validating a record's CHECK constraints in one query instead of one per constraint.

Django's `Model.validate_constraints` asks the database about each CheckConstraint separately,
each inside its own savepoint: a captive's 11 constraints cost 33 queries on every `full_clean`.
Here every CheckConstraint of a model is evaluated in a single SELECT, with Django's semantics
(an unknown result passes, as in the database; a constraint that reads an excluded field is
skipped), and refused with the same message and code. Other constraints (unique ones)
are validated by Django as before.
"""

from typing import Any

from django.core.exceptions import FieldError, ValidationError
from django.db import connections, models, router
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
    """A model whose `validate_constraints` asks about all its CHECK constraints at once."""

    class Meta:
        abstract = True

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
