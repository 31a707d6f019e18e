"""AlterLabels: label changes applied as one, the same state as one by one, and never SQL."""

import pytest
from django.db import migrations, models
from django.db.migrations.state import ModelState, ProjectState

from powtracker.migration_ops import AlterLabels


def state() -> ProjectState:
    project = ProjectState()
    project.add_model(
        ModelState(
            "shelf",
            "book",
            [
                ("id", models.AutoField(primary_key=True)),
                ("title", models.CharField(max_length=20)),
            ],
            options={"ordering": ["title"]},
        )
    )
    project.apps  # rendered, as during a migrate  # noqa: B018
    return project


def title(**options) -> migrations.AlterField:
    return migrations.AlterField("book", "title", models.CharField(**options))


def test_labels_reach_the_same_state_as_the_operations_one_by_one():
    labels = [
        title(max_length=20, verbose_name="title", help_text="as printed"),
        migrations.AlterModelOptions("book", {"ordering": ["title"], "verbose_name": "book"}),
    ]
    one_by_one, grouped = state(), state()
    for operation in labels:
        operation.state_forwards("shelf", one_by_one)
    AlterLabels(labels).state_forwards("shelf", grouped)

    for project in (one_by_one, grouped):
        model = project.apps.get_model("shelf", "book")
        assert model._meta.get_field("title").verbose_name == "title"
        assert model._meta.verbose_name == "book"
    assert grouped.models == one_by_one.models


def test_a_change_that_reaches_the_database_is_refused_at_migrate():
    before = state()
    after = before.clone()
    operation = AlterLabels([title(max_length=40, verbose_name="title")])
    operation.state_forwards("shelf", after)

    with pytest.raises(ValueError, match=r"shelf\.book\.title: AlterLabels changes labels only"):
        operation.database_forwards("shelf", None, before, after)
    # A label alone passes, and runs nothing (no schema editor is needed).
    labels = AlterLabels([title(max_length=20, verbose_name="title")])
    labelled = before.clone()
    labels.state_forwards("shelf", labelled)
    labels.database_forwards("shelf", None, before, labelled)


def test_only_alterations_of_labels_are_taken():
    with pytest.raises(TypeError):
        AlterLabels([migrations.RemoveField("book", "title")])
