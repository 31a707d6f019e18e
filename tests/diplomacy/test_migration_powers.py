"""Migrations diplomacy 0008 and 0009 reconcile a captive's power and ally, once in two places."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("diplomacy", "0007_void_verbose_names"), ("cases", "0016_void_verbose_names")]
AFTER = [("diplomacy", "0009_one_power_at_a_time")]


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
def test_the_migration_makes_the_involvements_the_truth_and_says_what_it_changed(
    capsys, back_to_latest
):
    old = migrate(BEFORE)
    State = old.get_model("diplomacy", "State")
    Captive = old.get_model("cases", "Captive")
    Involvement = old.get_model("diplomacy", "Involvement")
    s = {code: State.objects.create(code=code, name=code) for code in ["UKR", "PRK", "RUS", "CUB"]}

    def captive(number, **fields):
        return Captive.objects.create(
            case_number=f"UKR-2025-{number:05d}",
            family_name="Test",
            captured_on=date(2025, 1, 5),
            detaining_power=s["UKR"],
            **fields,
        )

    # Hwang: his fields empty, PRK and RUS named only as involvements (the attack's case).
    hwang = captive(1, nationality=s["PRK"])
    Involvement.objects.create(captive=hwang, state=s["PRK"], role="power_depended_on")
    Involvement.objects.create(captive=hwang, state=s["RUS"], role="allied_power")
    # Pak: his fields set on his page, no involvement at all.
    pak = captive(2, nationality=s["PRK"], power_depended_on=s["PRK"], allied_power=s["RUS"])
    # Ri: two active powers, his field naming one of them.
    ri = captive(3, power_depended_on=s["RUS"])
    Involvement.objects.create(captive=ri, state=s["PRK"], role="power_depended_on")
    Involvement.objects.create(captive=ri, state=s["RUS"], role="power_depended_on")
    # Kim: his field says CUB, an involvement says PRK: PRK stays, CUB is kept as a record.
    kim = captive(4, power_depended_on=s["CUB"])
    Involvement.objects.create(captive=kim, state=s["PRK"], role="power_depended_on")
    # Choe: nothing recorded but his nationality.
    choe = captive(5, nationality=s["PRK"])
    capsys.readouterr()

    new = migrate(AFTER)
    printed = capsys.readouterr().out

    Captive = new.get_model("cases", "Captive")
    Involvement = new.get_model("diplomacy", "Involvement")
    HistoricalCaptive = new.get_model("cases", "HistoricalCaptive")

    def powers(person):
        row = Captive.objects.get(pk=person.pk)
        return row.power_depended_on_id, row.allied_power_id

    def involved(person):
        return {
            (i.state_id, i.role, i.ended_on is None)
            for i in Involvement.objects.filter(captive_id=person.pk)
        }

    assert powers(hwang) == (s["PRK"].pk, s["RUS"].pk)
    assert powers(pak) == (s["PRK"].pk, s["RUS"].pk)
    assert involved(pak) == {
        (s["PRK"].pk, "power_depended_on", True),
        (s["RUS"].pk, "allied_power", True),
    }
    assert powers(ri) == (s["RUS"].pk, None)
    assert involved(ri) == {
        (s["PRK"].pk, "power_depended_on", False),
        (s["RUS"].pk, "power_depended_on", True),
    }
    assert powers(kim) == (s["PRK"].pk, None)
    assert involved(kim) == {
        (s["PRK"].pk, "power_depended_on", True),
        (s["CUB"].pk, "power_depended_on", False),
    }
    assert powers(choe) == (s["PRK"].pk, None)
    assert HistoricalCaptive.objects.filter(
        id=pak.pk, history_change_reason__startswith="Reconciled"
    ).exists()
    assert "5 captives checked, 5 changed" in printed
    assert "second active involvement ended" in printed
