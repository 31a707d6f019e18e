"""The partner API's test world: the Kursk case, a case nobody outside shares, and a partner of
every kind, each with a real token from /o/token/."""

import base64
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cases import services as case_services
from cases.choices import InvolvementRole, Voluntariness, Wish, WishMode
from cases.models import Captive, Involvement
from diplomacy import services as diplomacy_services
from diplomacy.choices import ContactChannel
from diplomacy.models import DiplomaticContact
from partners.choices import DisclosureLevel, PartnerKind
from partners.services import case_share_grant, partner_create
from tests.factories import CaptiveFactory, StateFactory

ALL_SCOPES = ["cases:read", "cases:write", "wishes:read", "diplomacy:read", "diplomacy:write"]


def at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12))


@dataclass
class Api:
    """A test client speaking as one partner (or anonymously, with no token)."""

    client: Client
    token: str | None = None

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        out = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (headers or {}).items()}
        if self.token:
            out["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        return out

    def get(self, path: str, headers: dict[str, str] | None = None, **params: Any):
        return self.client.get(path, params, **self._headers(headers))

    def post(self, path: str, data: Any = None, headers: dict[str, str] | None = None):
        return self.client.post(
            path, data or {}, content_type="application/json", **self._headers(headers)
        )

    def patch(self, path: str, data: Any, headers: dict[str, str] | None = None):
        return self.client.patch(
            path, data, content_type="application/json", **self._headers(headers)
        )

    def options(self, path: str):
        return self.client.options(path, **self._headers(None))

    def delete(self, path: str):
        return self.client.delete(path, **self._headers(None))

    def put(self, path: str, data: Any):
        return self.client.put(path, data, content_type="application/json", **self._headers(None))


def token_for(client: Client, client_id: str, secret: str, scope: str | None = None) -> Any:
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    data = {"grant_type": "client_credentials"}
    if scope:
        data["scope"] = scope
    return client.post("/o/token/", data, HTTP_AUTHORIZATION=f"Basic {basic}")


def make_partner(client: Client, name: str, **kwargs: Any) -> Api:
    kwargs.setdefault("kind", PartnerKind.STATE_AGENCY)
    kwargs.setdefault("scopes", ALL_SCOPES)
    partner, secret = partner_create(acting_user=None, name=name, **kwargs)
    response = token_for(client, partner.application.client_id, secret)
    assert response.status_code == 200, response.content
    api = Api(client=Client(), token=response.json()["access_token"])
    api.partner = partner  # type: ignore[attr-defined]
    return api


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    """The Kursk case and an unrelated case, as in the brief."""
    return kursk_world()


def kursk_world() -> dict[str, Any]:
    """The Kursk case and an unrelated case (for fixtures of other test folders too)."""
    s = {code: StateFactory(code=code) for code in ["UKR", "RUS", "PRK", "KOR", "CUB", "MNG"]}
    soldiers = []
    for name, wish in [("Pak", Wish.RETURN), ("Ri", Wish.REMAIN)]:
        captive = CaptiveFactory(
            family_name=name,
            detaining_power=s["UKR"],
            nationality=s["PRK"],
            power_depended_on=s["PRK"],
            allied_power=s["RUS"],
            captured_on=date(2025, 1, 5),
        )
        case_services.wish_statement_record(
            acting_user=None,
            captive=captive,
            wish=wish,
            stated_at=at(date(2025, 1, 11)),
            mode=WishMode.PUBLISHED_VIDEO,
            voluntariness=Voluntariness.NOT_ASSESSED,
        )
        for code, role in [
            ("UKR", InvolvementRole.DETAINING_POWER),
            ("PRK", InvolvementRole.POWER_DEPENDED_ON),
            ("RUS", InvolvementRole.ALLIED_POWER),
            ("KOR", InvolvementRole.RECEIVING_STATE),
        ]:
            Involvement.objects.get_or_create(captive=captive, state=s[code], role=role)
        soldiers.append(captive)
    other = CaptiveFactory(
        family_name="Unrelated",
        detaining_power=s["UKR"],
        # Not the unrelated partner's (CUB) national: his power is involved in his case.
        nationality=s["MNG"],
        power_depended_on=s["MNG"],
    )
    Involvement.objects.get_or_create(
        captive=other, state=s["UKR"], role=InvolvementRole.DETAINING_POWER
    )
    proposal = diplomacy_services.exchange_proposal_create(
        acting_user=None,
        title="KPA soldiers for Ukrainians",
        proposing_state=s["UKR"],
        counterpart_state=s["PRK"],
    )
    for soldier in soldiers:
        diplomacy_services.exchange_offer_add(acting_user=None, proposal=proposal, captive=soldier)
    contact = DiplomaticContact.objects.create(
        from_state=s["KOR"],
        to_state=s["UKR"],
        channel=ContactChannel.CALL,
        occurred_on=date(2025, 1, 20),
        summary="Would take them if they defect.",
    )
    contact.captives.add(*soldiers)
    return {
        "states": s,
        "first": soldiers[0],
        "second": soldiers[1],
        "other": other,
        "proposal": proposal,
        "contact": contact,
    }


@pytest.fixture
def partners(client: Client, world: dict[str, Any]) -> dict[str, Api]:
    """One partner of every kind the disclosure rules tell apart."""
    s = world["states"]
    return {
        "power_depended_on": make_partner(
            client, "PRK agency", state=s["PRK"], default_level=DisclosureLevel.FULL
        ),
        "ally": make_partner(
            client, "RUS agency", state=s["RUS"], default_level=DisclosureLevel.FULL
        ),
        "receiving_state": make_partner(
            client, "KOR ministry", state=s["KOR"], default_level=DisclosureLevel.FULL
        ),
        "tracing_agency": make_partner(client, "ICRC CTA", kind=PartnerKind.TRACING_AGENCY),
        "unrelated": make_partner(
            client, "CUB agency", state=s["CUB"], default_level=DisclosureLevel.FULL
        ),
        "anonymous": Api(client=Client()),
    }


def share(partner_api: Api, captive: Captive, level: str = DisclosureLevel.CASE) -> None:
    case_share_grant(
        acting_user=None,
        partner=partner_api.partner,
        captive=captive,
        level=level,
        reason="Tracing request",
    )


def defect(captive: Captive, destination: Any) -> None:
    case_services.wish_statement_record(
        acting_user=None,
        captive=captive,
        wish=Wish.DEFECT,
        destination=destination,
        stated_at=at(date(2025, 2, 1)),
        mode=WishMode.PRIVATE_INTERVIEW,
        voluntariness=Voluntariness.FREE,
    )


def remain(captive: Captive) -> None:
    case_services.wish_statement_record(
        acting_user=None,
        captive=captive,
        wish=Wish.REMAIN,
        stated_at=at(date(2025, 2, 1)),
        mode=WishMode.PRIVATE_INTERVIEW,
        voluntariness=Voluntariness.FREE,
    )
