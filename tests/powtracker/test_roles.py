"""The role groups created by migration: what each may do, and that none may delete."""

import pytest
from django.contrib.auth.models import Group, Permission

from powtracker.roles import ROLE_ANALYST, ROLE_CASEWORKER, ROLE_SUPERVISOR

pytestmark = pytest.mark.django_db


def codenames(role: str) -> set[str]:
    return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))


def test_the_three_roles_exist_after_migrating():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        ROLE_CASEWORKER,
        ROLE_SUPERVISOR,
        ROLE_ANALYST,
    }


def test_nobody_may_delete_anything():
    assert not Permission.objects.filter(
        group__isnull=False, codename__startswith="delete_"
    ).exists()


def test_caseworkers_record_analysts_read_supervisors_also_manage_states():
    caseworker, supervisor, analyst = (
        codenames(r) for r in (ROLE_CASEWORKER, ROLE_SUPERVISOR, ROLE_ANALYST)
    )
    assert {"add_captive", "change_captive", "add_custodyevent", "add_wishstatement"} <= caseworker
    assert "change_state" not in caseworker
    assert {"add_state", "change_state"} <= supervisor
    assert {"view_captive", "view_historicalcaptive", "view_exchangeproposal"} <= analyst
    assert not {c for c in analyst if not c.startswith("view_")} - {"export"}
