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
