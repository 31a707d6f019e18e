"""Migrations states 0001 … diplomacy 0010 move State to the states app and Involvement to cases,
keeping their tables: rows, history, permissions and the groups holding them survive."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("diplomacy", "0009_one_power_at_a_time"),
    ("cases", "0017_name_key_lengths"),
    ("partners", "0009_security_idempotency_replay"),
    ("imports", "0003_verbose_names"),
]
AFTER = [("diplomacy", "0010_states_involvements_moved_out")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest():
    yield
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_states_and_involvements_keep_their_rows_history_and_permissions(back_to_latest):
    old = migrate(BEFORE)
    State = old.get_model("diplomacy", "State")
    HistoricalState = old.get_model("diplomacy", "HistoricalState")
    Involvement = old.get_model("diplomacy", "Involvement")
    Captive = old.get_model("cases", "Captive")
    ContentType = old.get_model("contenttypes", "ContentType")
    Permission = old.get_model("auth", "Permission")
    Group = old.get_model("auth", "Group")
    state_type = ContentType.objects.get(app_label="diplomacy", model="state")
    involvement_type = ContentType.objects.get(app_label="diplomacy", model="involvement")

    ukr = State.objects.create(code="UKR", name="Ukraine")
    prk = State.objects.create(code="PRK", name="DPRK")
    HistoricalState.objects.create(
        id=ukr.pk,
        code="UKR",
        name="Ukraine",
        gc3_party=True,
        history_date=datetime(2025, 1, 1, tzinfo=UTC),
        history_type="+",
        history_change_reason="State added",
    )
    captive = Captive.objects.create(
        case_number="UKR-2025-00001",
        family_name="Test",
        captured_on=date(2025, 1, 5),
        detaining_power=ukr,
        nationality=prk,
    )
    involvement = Involvement.objects.create(captive=captive, state=prk, role="power_depended_on")
    # A group of the bureau's own making, holding State and Involvement permissions.
    clerks = Group.objects.create(name="reference clerks")
    clerks.permissions.set(
        Permission.objects.filter(
            content_type__in=[state_type, involvement_type],
            codename__in=["add_state", "change_state", "change_involvement"],
        )
    )

    new = migrate(AFTER)
    State = new.get_model("states", "State")
    HistoricalState = new.get_model("states", "HistoricalState")
    Involvement = new.get_model("cases", "Involvement")
    Captive = new.get_model("cases", "Captive")
    ContentType = new.get_model("contenttypes", "ContentType")
    Group = new.get_model("auth", "Group")

    assert set(State.objects.values_list("code", flat=True)) == {"UKR", "PRK"}
    assert HistoricalState.objects.get(id=ukr.pk).history_change_reason == "State added"
    moved = Involvement.objects.get(pk=involvement.pk)
    assert (moved.captive_id, moved.state_id, moved.role) == (
        captive.pk,
        prk.pk,
        "power_depended_on",
    )
    assert Captive.objects.get(pk=captive.pk).detaining_power.code == "UKR"
    # The same content type rows, renamed: what pointed at them follows.
    assert ContentType.objects.get(pk=state_type.pk).app_label == "states"
    assert ContentType.objects.get(pk=involvement_type.pk).app_label == "cases"
    assert not ContentType.objects.filter(app_label="diplomacy", model__in=["state", "involvement"])
    held = {
        (p.content_type.app_label, p.codename)
        for p in Group.objects.get(name="reference clerks").permissions.all()
    }
    assert held == {
        ("states", "add_state"),
        ("states", "change_state"),
        ("cases", "change_involvement"),
    }
    supervisor = {
        (p.content_type.app_label, p.codename)
        for p in Group.objects.get(name="supervisor").permissions.all()
    }
    assert {("states", "add_state"), ("cases", "add_involvement")} <= supervisor
