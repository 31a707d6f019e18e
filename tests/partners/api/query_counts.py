"""The shared base of the partner API's query-count tests, as NetBox's `APIViewTestCases` is:
each list and detail endpoint is declared once, by its URL name, with how to add one row its
reader sees and the number of SQL queries a GET costs; `list_counts` and `detail_counts` measure
them the same way for every endpoint.

A count is measured on a warm request (the same GET once before, so that per-process caches and
the throttle's cache row exist), with at least three rows present; a list is measured again
with three rows more and must cost the same (no query per row).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import count
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.choices import CustodyEventKind, InvolvementRole, NameSystem, Wish, WishMode
from cases.models import Captive, Involvement, MediaRecord, Obligation
from diplomacy import services as diplomacy_services
from diplomacy.choices import ContactChannel
from diplomacy.models import DiplomaticContact
from partners.choices import DisclosureLevel
from states.models import State
from tests.factories import CaptiveFactory, StateFactory
from tests.partners.api.conftest import ALL_SCOPES, Api, make_partner

ROWS = 3  # rows present when a count is taken; a list is measured again at twice as many
_serial = count(1)


@dataclass
class World:
    """The representative reader — the agency of the detaining power (UKR), at the full level,
    with every scope, so that it sees every field and every nested list — and one captive it
    holds, under whom the nested rows are added."""

    api: Api
    states: dict[str, State]
    captive: Captive
    _moments: Any = field(default_factory=lambda: count(1))

    def moment(self) -> datetime:
        """A later time for each record added to the captive, so his timeline stays in order."""
        return timezone.make_aware(datetime(2025, 1, 6, 12)) + timedelta(days=next(self._moments))

    def held(self) -> Captive:
        """One more captive the reader sees: a North Korean the UKR holds, with a name in Cyrillic
        and a wish statement, which his representation shows."""
        s = self.states
        n = next(_serial)
        captive = CaptiveFactory(
            family_name=f"Counted{n}",
            detaining_power=s["UKR"],
            nationality=s["PRK"],
            power_depended_on=s["PRK"],
            names=[(NameSystem.CYRILLIC, f"Ким Чол {n}")],
        )
        Involvement.objects.get_or_create(
            captive=captive, state=s["UKR"], role=InvolvementRole.DETAINING_POWER
        )
        case_services.wish_statement_record(
            acting_user=None,
            captive=captive,
            wish=Wish.RETURN,
            stated_at=timezone.make_aware(datetime(2025, 1, 10, 12)),
            mode=WishMode.PUBLISHED_VIDEO,
        )
        return captive


def world_build(client: Any) -> World:
    states = {code: StateFactory(code=code) for code in ["UKR", "RUS", "PRK", "KOR", "POL", "CUB"]}
    api = make_partner(
        client,
        "UKR bureau",
        state=states["UKR"],
        default_level=DisclosureLevel.FULL,
        scopes=[*ALL_SCOPES, "reports:export", "webhooks:manage"],
    )
    world = World(api=api, states=states, captive=None)  # type: ignore[arg-type]
    world.captive = world.held()
    return world


# --- one row of each resource, as its reader sees it: returns the URL kwargs of its detail -----


def add_captive(w: World) -> dict[str, Any]:
    return {"pk": w.held().pk}


def add_event(w: World) -> dict[str, Any]:
    kinds = [CustodyEventKind.INTERNED, CustodyEventKind.HOSPITALIZED]
    event = case_services.custody_event_record(
        acting_user=None,
        captive=w.captive,
        kind=kinds[next(_serial) % 2],
        occurred_at=w.moment(),
        custodian=w.states["UKR"],
    )
    return {"captive_pk": w.captive.pk, "pk": event.pk}


def add_wish(w: World) -> dict[str, Any]:
    statement = case_services.wish_statement_record(
        acting_user=None,
        captive=w.captive,
        wish=Wish.DEFECT,
        destination=w.states["KOR"],
        stated_at=w.moment(),
        mode=WishMode.PUBLISHED_VIDEO,
    )
    return {"captive_pk": w.captive.pk, "pk": statement.pk}


def add_involvement(w: World) -> dict[str, Any]:
    Involvement.objects.create(
        captive=w.captive, state=StateFactory(), role=InvolvementRole.RECEIVING_STATE
    )
    return {"captive_pk": w.captive.pk}


def add_media(w: World) -> dict[str, Any]:
    MediaRecord.objects.create(
        kind="video",
        title=f"Video {next(_serial)}",
        publisher_state=w.states["RUS"],
        published_on=date(2025, 1, 20),
    ).captives.add(w.captive)
    return {"captive_pk": w.captive.pk}


def add_obligation(w: World) -> dict[str, Any]:
    Obligation.objects.create(
        captive=w.captive, kind="capture_card", due_on=date(2025, 2, 1) + timedelta(next(_serial))
    )
    return {"captive_pk": w.captive.pk}


def add_version(w: World) -> dict[str, Any]:
    """A saved version of the captive that changes a field the reader sees."""
    case_services.captive_update(
        acting_user=None, captive=w.captive, capture_place=f"Place {next(_serial)}"
    )
    return {"captive_pk": w.captive.pk}


def add_state(w: World) -> dict[str, Any]:
    return {"code": StateFactory().code}


def add_proposal(w: World) -> dict[str, Any]:
    s = w.states
    proposal = diplomacy_services.exchange_proposal_create(
        acting_user=None, title="Swap", proposing_state=s["UKR"], counterpart_state=s["PRK"]
    )
    diplomacy_services.exchange_offer_add(acting_user=None, proposal=proposal, captive=w.held())
    diplomacy_services.exchange_request_add(
        acting_user=None, proposal=proposal, name="A. Person", count=1
    )
    return {"pk": proposal.pk}


def add_contact(w: World) -> dict[str, Any]:
    contact = DiplomaticContact.objects.create(
        from_state=w.states["UKR"],
        to_state=w.states["KOR"],
        channel=ContactChannel.CALL,
        occurred_on=date(2025, 2, 1),
        summary="Call",
    )
    contact.captives.add(w.held())
    return {"pk": contact.pk}


def add_transfer(w: World) -> dict[str, Any]:
    transfer = diplomacy_services.transfer_request_create(
        acting_user=None, captive=w.held(), requesting_state=w.states["KOR"]
    )
    return {"pk": transfer.pk}


def add_export(w: World) -> dict[str, Any]:
    from reports.api.export_jobs import HANDLER
    from reports.services import export_job_create

    export = export_job_create(
        acting_user=None,
        partner=w.api.partner,
        scopes=["cases:read", "reports:export"],
        list_name="api.captives",
        filters="",
        export_format="csv",
        password="",
        handler=HANDLER,
    )
    return {"pk": export.pk}


def add_webhook(w: World) -> dict[str, Any]:
    from django.test import override_settings

    from webhooks.services import webhook_subscribe

    with override_settings(WEBHOOK_ALLOW_PRIVATE_NETWORKS=True):
        endpoint, _secret = webhook_subscribe(
            acting_user=None, partner=w.api.partner, url=f"https://127.0.0.1/{next(_serial)}"
        )
    return {"id": str(endpoint.public_id)}


@dataclass(frozen=True)
class Pinned:
    """An endpoint's pinned cost: a GET by the representative reader takes `queries` SQL
    queries (`per_vendor` where a database legitimately differs), with `add` adding its rows."""

    add: Callable[[World], dict[str, Any]]
    queries: int
    per_vendor: dict[str, int] = field(default_factory=dict)

    def expected(self) -> int:
        return self.per_vendor.get(connection.vendor, self.queries)


def measured(api: Api, path: str) -> tuple[int, Any]:
    """The queries of a warm GET of `path` (and the response)."""
    warm = api.get(path)
    assert warm.status_code == 200, (path, warm.content[:300])
    with CaptureQueriesContext(connection) as queries:
        response = api.get(path)
    assert response.status_code == 200, (path, response.content[:300])
    return len(queries), (response, queries)


def shown(queries: Any) -> str:
    return "\n".join(q["sql"][:160] for q in queries.captured_queries)


def list_counts(world: World, route: str, pinned: Pinned) -> None:
    """The list costs its pinned number of queries with ROWS rows, and the same with twice as
    many (no query per row)."""
    kwargs = {}
    for _ in range(ROWS):
        kwargs = pinned.add(world)
    kwargs.pop("pk", None)
    kwargs.pop("code", None)
    kwargs.pop("id", None)
    path = reverse(route, kwargs=kwargs)
    few, (response, queries) = measured(world.api, path)
    assert len(response.json()["results"]) >= ROWS, response.json()
    assert few == pinned.expected(), f"{route}: {few} queries, pinned {pinned.expected()}\n" + (
        shown(queries)
    )
    for _ in range(ROWS):
        pinned.add(world)
    many, (response, queries) = measured(world.api, path)
    assert len(response.json()["results"]) >= 2 * ROWS, response.json()
    assert many == few, f"{route}: {few} queries for {ROWS} rows, {many} for {2 * ROWS}\n" + (
        shown(queries)
    )


def detail_counts(world: World, route: str, pinned: Pinned) -> None:
    """The detail of one of ROWS rows costs its pinned number of queries."""
    kwargs = {}
    for _ in range(ROWS):
        kwargs = pinned.add(world)
    path = reverse(route, kwargs=kwargs)
    queries, (_, captured) = measured(world.api, path)
    assert queries == pinned.expected(), (
        f"{route}: {queries} queries, pinned {pinned.expected()}\n" + shown(captured)
    )
