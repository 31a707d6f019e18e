"""The list of states' admin pages: at /admin/states/state/, the old addresses lead there."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/admin/diplomacy/state/", "/admin/states/state/"),
        ("/admin/diplomacy/state/7/change/?_popup=1", "/admin/states/state/7/change/?_popup=1"),
        ("/admin/diplomacy/involvement/3/history/", "/admin/cases/involvement/3/history/"),
    ],
)
def test_the_old_addresses_of_states_and_involvements_lead_to_the_new(client, old, new):
    response = client.get(old)
    assert response.status_code == 302
    assert response["Location"] == new


@pytest.mark.parametrize("code", ["fra", "FR", "F1A"])
def test_a_malformed_code_is_refused_in_words_not_by_the_constraint_s_name(
    client, supervisor, code
):
    """The page says what a code is, in the reader's language; nothing is added."""
    from states.models import State

    client.force_login(supervisor)
    before = State.objects.count()
    for language, words in [
        ("en", "three capital letters"),
        ("uk", "три великі літери"),
        ("ko", "대문자 세 자"),
    ]:
        page = client.post(
            "/admin/states/state/add/",
            {"code": code, "name": "France", "gc3_party": "on", "language": "", "notes": ""},
            HTTP_ACCEPT_LANGUAGE=language,
            follow=True,
        ).content.decode()
        assert words in page
        assert "diplomacy_state_code_alpha3" not in page
    assert State.objects.count() == before


def test_a_malformed_code_is_refused_by_the_service_with_a_stable_code(supervisor):
    from django.core.exceptions import ValidationError

    from states.services import state_create

    with pytest.raises(ValidationError) as refused:
        state_create(acting_user=supervisor, code="fra", name="France")
    errors = [error for field in refused.value.error_dict.values() for error in field]
    assert [error.code for error in errors] == ["invalid"]
    assert "three capital letters" in errors[0].message
