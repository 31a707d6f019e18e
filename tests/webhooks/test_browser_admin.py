"""A supervisor, in a real browser: subscribes a partner's endpoint (the secret shown once),
then meets the notice of an endpoint whose receiver kept failing, and reads its attempts."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from cases.models import Involvement
from cases.services import captive_update
from demo.scenario import demo_load
from partners.choices import DisclosureLevel, PartnerKind
from partners.services import partner_create
from states.models import State
from tests.browser import ARTIFACTS, chromium, chromium_required, sign_in
from tests.webhooks.receiver import receiving
from webhooks.delivery import endpoint_deliver_due
from webhooks.models import WebhookEndpoint

chromium_required()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_subscribes_an_endpoint_and_is_told_when_one_fails(
    live_server, settings, tmp_path
):
    from playwright.sync_api import expect, sync_playwright

    assert os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE") == "true"
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True
    settings.WEBHOOK_RETRY_SCHEDULE = [1]
    demo_load()
    ukr = State.objects.get(code="UKR")
    partner, _secret = partner_create(
        acting_user=None,
        name="UKR agency",
        kind=PartnerKind.STATE_AGENCY,
        state=ukr,
        scopes=["cases:read", "webhooks:manage"],
        default_level=DisclosureLevel.FULL,
    )

    with receiving(lambda r: (500, {})) as receiver, sync_playwright() as playwright:
        browser = chromium(playwright, tmp_path / "profile")
        page = browser.new_page()
        sign_in(page, live_server.url, "supervisor", settings.DEMO_PASSWORD)
        page.goto(f"{live_server.url}/admin/webhooks/webhookendpoint/add/?partner={partner.pk}")
        page.fill("#id_url", receiver.url)
        page.check("input[name=event_type_list][value='captive.changed']")
        page.click("input[name=_save]")
        expect(page.locator(".messagelist")).to_contain_text("whsec_")
        page.screenshot(path=str(ARTIFACTS / "webhook-subscribed.png"), full_page=True)

        endpoint = WebhookEndpoint.objects.get(url=receiver.url)
        captive = Involvement.objects.filter(state=ukr).first().captive
        captive_update(acting_user=None, captive=captive, rank="Colonel")
        endpoint_deliver_due(endpoint)
        with freeze_time(timezone.now() + timedelta(seconds=2)):
            endpoint_deliver_due(endpoint)

        page.goto(f"{live_server.url}/admin/")
        notice = page.locator(".messagelist li.warning", has_text="Webhook deliveries to")
        expect(notice).to_contain_text(receiver.url)
        page.screenshot(path=str(ARTIFACTS / "webhook-disabled-notice.png"), full_page=True)
        page.goto(
            f"{live_server.url}/admin/webhooks/webhookdelivery/?endpoint__id__exact={endpoint.pk}"
        )
        page.click("table#result_list tbody tr th a")
        expect(page.locator("body")).to_contain_text("captive.changed")
        page.screenshot(path=str(ARTIFACTS / "webhook-attempts.png"), full_page=True)
        browser.close()
    assert len(receiver.requests) == 2
    assert endpoint.history.earliest("history_date").history_user.username == "supervisor"
