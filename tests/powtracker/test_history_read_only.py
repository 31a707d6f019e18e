"""History is read-only everywhere: every old version can be looked at, none can be put back."""

from datetime import date, datetime
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from powtracker.admin import PermanentAdmin
from tests.admin_forms import admin_form_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
WITH_HISTORY = [model._meta.label for model, model_admin in REGISTERED if hasattr(model, "history")]
ROLES = ["caseworker", "supervisor", "analyst", "superuser"]


def at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12))


def user_in(role: str) -> Any:
    if role == "superuser":
        return get_user_model().objects.create_superuser("root", password="x")
    return UserFactory(username=f"the-{role}", role=role)


def old_version_form_data(model_admin: Any, record: Any, superuser: Any) -> dict[str, Any]:
    """What a browser would post to put the oldest version back: its admin form, filled in."""
    old = record.history.earliest("history_id").instance
    request = RequestFactory().get("/")
    request.user = superuser
    form = model_admin.get_form(request, old)(instance=old)
    return admin_form_data(str(form))


def snapshot(record: Any) -> tuple[dict[str, Any], int]:
    fresh = type(record).objects.get(pk=record.pk)
    return model_to_dict(fresh), fresh.history.count()


def test_every_registered_model_with_a_history_has_the_read_only_history_admin():
    for model, model_admin in REGISTERED:
        if hasattr(model, "history"):
            assert isinstance(model_admin, PermanentAdmin), model._meta.label
        else:
            with pytest.raises(NoReverseMatch):
                reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_simple_history")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", WITH_HISTORY)
def test_an_old_version_is_shown_but_never_put_back(client, one_of_each, label, role):
    model, model_admin = next(item for item in REGISTERED if item[0]._meta.label == label)
    record = model.objects.order_by("pk").first()
    version = record.history.earliest("history_id")
    superuser = get_user_model().objects.filter(is_superuser=True).first() or user_in("superuser")
    data = old_version_form_data(model_admin, record, superuser)
    user = superuser if role == "superuser" else user_in(role)
    client.force_login(user)
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}_simple_history"
    url = reverse(name, args=[record.pk, version.history_id])
    before = snapshot(record)

    posted = client.post(url, data)
    shown = client.get(url)

    assert 400 <= posted.status_code < 500
    assert snapshot(record) == before
    if not user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}"):
        # A model its role may not read at all (a partner's webhook endpoints, for supervisors
        # only): its history is refused too.
        assert shown.status_code == 403
        return
    assert shown.status_code == 200
    page = shown.content.decode()
    assert 'name="_save"' not in page
    assert "<textarea" not in page
    assert 'type="text"' not in page


@pytest.mark.parametrize("label", WITH_HISTORY)
def test_a_version_that_is_not_a_number_is_not_found(admin_client, one_of_each, label):
    model = next(m for m, _ in REGISTERED if m._meta.label == label)
    record = model.objects.order_by("pk").first()
    base = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=[1])

    assert (
        admin_client.get(base.replace("/1/history/", f"/{record.pk}/history/abc/")).status_code
        == 404
    )
    assert admin_client.get(base.replace("/1/history/", "/abc/history/1/")).status_code == 404


@pytest.mark.parametrize("label", WITH_HISTORY)
def test_a_history_of_a_record_id_that_is_not_one_is_not_found(admin_client, one_of_each, label):
    """simple-history's list of versions filtered by the id as the URL gave it: a 500 for
    `…/abc/history/` and for `…/2/change/history/` (the admin's catch-all reads "2/change")."""
    model = next(m for m, _ in REGISTERED if m._meta.label == label)
    record = model.objects.order_by("pk").first()
    base = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_history", args=[1])

    assert admin_client.get(base.replace("/1/history/", "/abc/history/")).status_code == 404
    wrong = base.replace("/1/history/", f"/{record.pk}/change/history/")
    assert admin_client.get(wrong).status_code == 404
    assert admin_client.get(base.replace("/1/", f"/{record.pk}/")).status_code == 200
