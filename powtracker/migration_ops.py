"""A migration operation for changes the database never sees.

Django applies `AlterField` one at a time and, after each, re-renders every model related to the
one it changed. For a migration of 180 label changes (verbose names, help texts, choices' labels)
that cost 35 s of every `migrate`, and of every test database. `AlterLabels` applies such a
migration's operations to the migration state in one step, reloads each model once, and runs no
SQL. It refuses, at `migrate`, any operation in it that would change the schema.
"""

from typing import Any

from django.db import migrations
from django.db.migrations.operations.base import Operation


def _schema(field: Any) -> tuple[Any, ...]:
    """What of a field the database sees: its deconstruction less Django's non-db attributes."""
    _name, path, args, kwargs = field.deconstruct()
    for attribute in field.non_db_attrs:
        kwargs.pop(attribute, None)
    return path, args, kwargs


class AlterLabels(Operation):
    """`AlterField`s and `AlterModelOptions` that change only labels, applied as one."""

    reversible = True
    reduces_to_sql = False

    def __init__(self, operations: list[Operation]) -> None:
        for operation in operations:
            if not isinstance(operation, migrations.AlterField | migrations.AlterModelOptions):
                raise TypeError(f"AlterLabels takes AlterField and AlterModelOptions: {operation}")
        self.operations = operations

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__qualname__, [self.operations], {})

    def state_forwards(self, app_label: str, state: Any) -> None:
        touched = set()
        # Each operation's own reload is put off (an instance attribute shadows the method)...
        state.reload_model = lambda *args, **kwargs: None
        try:
            for operation in self.operations:
                operation.state_forwards(app_label, state)
                model = (
                    operation.model_name_lower
                    if isinstance(operation, migrations.AlterField)
                    else operation.name_lower
                )
                touched.add((app_label, model))
        finally:
            del state.reload_model
        # ...and each model changed is reloaded once, with every model related to it.
        state.reload_models(sorted(touched), delay=False)

    def _labels_only(self, app_label: str, before: Any, after: Any) -> None:
        for operation in self.operations:
            if isinstance(operation, migrations.AlterField):
                key = (app_label, operation.model_name_lower)
                old = before.models[key].fields[operation.name]
                new = after.models[key].fields[operation.name]
                if _schema(old) != _schema(new):
                    raise ValueError(
                        f"{app_label}.{operation.model_name}.{operation.name}: AlterLabels "
                        "changes labels only; this change reaches the database."
                    )

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        self._labels_only(app_label, from_state, to_state)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        self._labels_only(app_label, from_state, to_state)

    def describe(self) -> str:
        return f"Change the labels of {len(self.operations)} fields and models (no SQL)"

    @property
    def migration_name_fragment(self) -> str:
        return "labels"
