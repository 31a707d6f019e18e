"""One date for one statement on the captive's page: the summary at the top and the wishes
section below it write its day where the register is kept (TIME_ZONE), never its UTC day, in a
zone far east of UTC as far west."""

import html
import re
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from cases import services
from cases.choices import Wish, WishMode
from tests.factories import CaptiveFactory

pytestmark = pytest.mark.django_db


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def part(page: str, pattern: str) -> str:
    found = re.search(pattern, page, re.S)
    assert found, f"the page has no {pattern}"
    return text_of(found.group(0))


@pytest.mark.parametrize(
    ("zone", "stated_at", "local", "utc"),
    [
        # 20:00 UTC is 05:00 the next morning in Seoul.
        ("Asia/Seoul", datetime(2025, 1, 10, 20, 0, tzinfo=UTC), "2025-01-11", "2025-01-10"),
        # 02:00 UTC is 16:00 the evening before in Honolulu.
        ("Pacific/Honolulu", datetime(2025, 1, 11, 2, 0, tzinfo=UTC), "2025-01-10", "2025-01-11"),
    ],
)
def test_the_summary_and_the_wishes_section_show_one_local_date(
    client, caseworker, states, settings, zone, stated_at, local, utc
):
    settings.TIME_ZONE = zone
    captive = CaptiveFactory(detaining_power=states["UKR"], captured_on=date(2025, 1, 5))
    services.wish_statement_record(
        acting_user=None,
        captive=captive,
        wish=Wish.REMAIN,
        stated_at=stated_at,
        mode=WishMode.CASEWORKER_INTERVIEW,
    )
    client.force_login(caseworker)

    response = client.get(reverse("admin:cases_captive_change", args=[captive.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    summary = part(page, r'<section class="case-summary".*?</section>')
    wishes = part(page, r'<section class="case-section case-section-wishes".*?</section>')
    assert f"stated {local}" in summary
    assert f"stated {local}" in wishes
    assert utc not in summary
    assert utc not in wishes
