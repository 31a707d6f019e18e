"""The case page names the case once: in the summary's heading, not again above it."""

import pytest
from django.contrib.auth import get_user_model

from cases.models import Captive
from demo.scenario import demo_load

pytestmark = pytest.mark.django_db


def test_the_case_number_and_name_appear_once_at_the_top(client):
    demo_load()
    ri = Captive.objects.get(case_number="UKR-2025-00002")
    client.force_login(get_user_model().objects.get(username="caseworker"))
    html = client.get(f"/admin/cases/captive/{ri.pk}/change/").content.decode()
    top = html[html.index('id="content"') : html.index('class="case-summary-grid"')]
    assert top.count("UKR-2025-00002") == 1
    assert top.count("Kwang-myong") == 1
    assert '<span class="case-number">UKR-2025-00002</span>' in top
