"""What reports adds to the pages of the apps below it (powtracker.admin.admin_extend): the case
page's print buttons, the documents printed for him and the proposals he is on, the captives'
list's Export button and print actions, in the order they always had."""

import re
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from cases.models import Captive, CustodyEvent, Obligation, WishStatement
from diplomacy.models import ExchangeProposal, TransferRequest
from partners.models import DisclosureRecord
from powtracker.admin import admin_extend
from reports.services import document_generate
from tests.factories import CaptiveFactory

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_extended_page_names_the_parts_reports_adds() -> None:
    for model in [
        Captive,
        Obligation,
        CustodyEvent,
        WishStatement,
        ExchangeProposal,
        TransferRequest,
        DisclosureRecord,
    ]:
        extended = type(admin.site._registry[model])
        assert extended.extended_by[0].__module__ == "reports.admin.parts", model
        assert extended.__module__ != "reports.admin.parts"
    captive_parts = [part.__name__ for part in type(admin.site._registry[Captive]).extended_by]
    assert captive_parts == ["CaptiveReports", "CaptiveProposals"]


def test_a_model_whose_admin_is_not_registered_cannot_be_extended() -> None:
    with pytest.raises(ImproperlyConfigured):
        admin_extend(get_user_model().groups.field.related_model, object, site=admin.AdminSite())


def test_the_case_page_shows_the_print_buttons_and_the_documents_printed_for_him(
    states: dict[str, Any], caseworker: Any
) -> None:
    captive = CaptiveFactory(nationality=states["PRK"], detaining_power=states["UKR"])
    record, _content = document_generate(
        acting_user=caseworker, kind="capture_card", captives=[captive]
    )
    page = signed_in(caseworker).get(f"/admin/cases/captive/{captive.pk}/change/").content.decode()
    assert "reports/documents.css" in page
    tools = re.search(r'<ul class="object-tools">.*?</ul>', page, re.S).group(0)
    kinds = re.findall(r'name="kind" value="([a-z_]+)"', tools)
    assert kinds == ["capture_card", "case_file"]
    # The print buttons come before the page's own History link.
    assert tools.index("document-print") < tools.index('historylink">')
    assert record.reference in page
    assert "No document has been printed for him yet." not in page


def test_the_captives_list_keeps_its_export_button_and_its_print_actions(
    states: dict[str, Any], caseworker: Any
) -> None:
    CaptiveFactory(nationality=states["PRK"], detaining_power=states["UKR"])
    page = signed_in(caseworker).get("/admin/cases/captive/").content.decode()
    assert 'class="export-form"' in page
    assert "/admin/cases/captive/export/" in page
    actions = re.findall(r'<option value="(print_[a-z_]+)"', page)
    assert actions == [
        "print_capture_card_pdf",
        "print_nib_notification_pdf",
        "print_nib_notification_xlsx",
    ]
    assert "wish-legend" in page  # the captives' own list template still renders


def test_the_other_lists_keep_their_export_button(caseworker: Any) -> None:
    client = signed_in(caseworker)
    for url in [
        "/admin/cases/obligation/",
        "/admin/cases/custodyevent/",
        "/admin/cases/wishstatement/",
        "/admin/diplomacy/exchangeproposal/",
        "/admin/diplomacy/transferrequest/",
    ]:
        page = client.get(url).content.decode()
        assert 'class="export-form"' in page, url
