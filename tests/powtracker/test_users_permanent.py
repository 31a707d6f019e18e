"""Users are deactivated, never deleted: every history keeps naming who made each change."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from powtracker.errors import RuleError
from states.models import State
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


def test_every_history_protects_its_user():
    from powtracker.permanence import protect_authorship

    histories = [m for m in apps.get_models() if hasattr(m, "history_user")]

    assert len(histories) >= 16
    for model in histories:
        field = model._meta.get_field("history_user")
        assert field.remote_field.on_delete is protect_authorship, model._meta.label


def test_a_user_who_changed_something_is_never_deleted(client, supervisor):
    client.force_login(supervisor)
    client.post(
        reverse("admin:states_state_add"), {"code": "ARE", "name": "UAE", "gc3_party": "on"}
    )
    row = State.objects.get(code="ARE").history.get()
    assert row.history_user == supervisor

    with pytest.raises(RuleError) as single:
        supervisor.delete()
    with pytest.raises(RuleError) as bulk:
        User.objects.filter(pk=supervisor.pk).delete()

    assert single.value.code == bulk.value.code == "hard_delete_forbidden"
    assert User.objects.filter(pk=supervisor.pk).exists()
    row.refresh_from_db()
    assert row.history_user_id == supervisor.pk


def test_a_user_who_wrote_nothing_yet_is_not_deleted_either(db):
    newcomer = UserFactory(username="newcomer")

    # Refused inside Django's delete transaction: each attempt is rolled back whole.
    with pytest.raises(RuleError) as single, transaction.atomic():
        newcomer.delete()
    with pytest.raises(RuleError) as bulk, transaction.atomic():
        User.objects.all().delete()

    assert single.value.code == bulk.value.code == "hard_delete_forbidden"
    assert User.objects.filter(pk=newcomer.pk).exists()


def test_the_admin_refuses_to_delete_a_user(admin_client, admin_user, caseworker):
    delete_url = reverse("admin:auth_user_delete", args=[caseworker.pk])

    shown = admin_client.get(delete_url)
    posted = admin_client.post(delete_url, {"post": "yes"})
    bulk = admin_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": [caseworker.pk], "post": "yes"},
    )
    change = admin_client.get(reverse("admin:auth_user_change", args=[caseworker.pk]))

    assert shown.status_code == posted.status_code == 403
    assert bulk.status_code in {200, 302}
    assert User.objects.filter(pk=caseworker.pk).exists()
    assert b'class="deletelink"' not in change.content
