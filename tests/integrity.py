"""A small register built through the services, with something of everything integrity_check
reads, and the helpers its tests share: run the command, break the database with raw SQL."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from io import StringIO
from typing import Any

from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from cases import services as case_services
from cases.choices import (
    CustodyEventKind,
    DocumentKind,
    DuplicateVerdict,
    Health,
    InvolvementRole,
    ObligationKind,
    Voluntariness,
    Wish,
    WishMode,
)
from cases.models import Obligation
from diplomacy import services as diplomacy_services
from diplomacy.choices import InclusionStatus, ProposalStatus, TransferStatus
from partners.choices import DisclosureLevel, PartnerKind
from partners.services import disclosure_record, partner_create
from powtracker.roles import ROLE_SUPERVISOR
from reports.services import document_generate
from tests.factories import CaptiveFactory, StateFactory, UserFactory


def at(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def register() -> dict[str, Any]:
    """Captives exchanged, resettled, wounded, linked as a duplicate, with a voided event, an
    assessed wish, a changed power, fulfilled duties; a proposal executed, a transfer completed,
    a partner's reads in the ledger. Everything through the services."""
    states = {
        code: StateFactory(code=code, name=name)
        for code, name in [
            ("UKR", "Ukraine"),
            ("RUS", "Russian Federation"),
            ("PRK", "Democratic People's Republic of Korea"),
            ("KOR", "Republic of Korea"),
        ]
    }
    boss = UserFactory(username="integrity-supervisor", role=ROLE_SUPERVISOR)

    def soldier(**fields: Any) -> Any:
        return CaptiveFactory(
            nationality=states["PRK"], allied_power=states["RUS"], acting_user=boss, **fields
        )

    def says(captive: Any, wish: str, destination: Any = None, day: int = 10) -> Any:
        return case_services.wish_statement_record(
            acting_user=boss,
            captive=captive,
            wish=wish,
            destination=destination,
            stated_at=at(date(2025, 1, day)),
            mode=WishMode.PRIVATE_INTERVIEW,
            voluntariness=Voluntariness.FREE,
        )

    # Exchanged with PRK, beside a comrade excluded from the exchange.
    returned, excluded = soldier(), soldier()
    case_services.custody_event_record(
        acting_user=boss,
        captive=returned,
        kind=CustodyEventKind.INTERNED,
        occurred_at=at(date(2025, 1, 8)),
        place="Camp 1",
    )
    says(returned, Wish.RETURN)
    says(excluded, Wish.REMAIN)
    proposal = diplomacy_services.exchange_proposal_create(
        acting_user=boss,
        title="Swap",
        proposing_state=states["UKR"],
        counterpart_state=states["PRK"],
    )
    for captive in (returned, excluded):
        diplomacy_services.exchange_offer_add(acting_user=boss, proposal=proposal, captive=captive)
    diplomacy_services.exchange_offer_set_inclusion(
        acting_user=boss,
        offer=proposal.offered_captives.get(captive=excluded),
        inclusion_status=InclusionStatus.EXCLUDED,
        reason="Wishes to remain",
    )
    for step in (ProposalStatus.PROPOSED, ProposalStatus.AGREED):
        proposal = diplomacy_services.exchange_proposal_transition(
            acting_user=boss, proposal=proposal, to_status=step
        )
    proposal = diplomacy_services.exchange_proposal_execute(acting_user=boss, proposal=proposal)
    # The capture card of the man exchanged went out printed.
    printed, _pdf = document_generate(
        acting_user=boss, kind=DocumentKind.CAPTURE_CARD, captives=[returned]
    )
    case_services.obligation_fulfil(
        acting_user=boss,
        obligation=Obligation.objects.get(captive=returned, kind=ObligationKind.CAPTURE_CARD),
        fulfilled_on=date(2025, 1, 9),
        document=printed,
    )

    # Resettled in KOR at his request.
    resettled = soldier()
    says(resettled, Wish.DEFECT, states["KOR"])
    transfer = diplomacy_services.transfer_request_create(
        acting_user=boss, captive=resettled, requesting_state=states["KOR"], basis="Constitution"
    )
    for step in (TransferStatus.REQUESTED, TransferStatus.APPROVED):
        transfer = diplomacy_services.transfer_request_transition(
            acting_user=boss, transfer=transfer, to_status=step
        )
    transfer = diplomacy_services.transfer_request_complete(acting_user=boss, transfer=transfer)

    # Seriously wounded and held: a weekly health report is open. A hospital stay recorded by
    # mistake is voided, which cancels the duties it opened; his capture card is sent.
    wounded = soldier(health=Health.SERIOUSLY_WOUNDED)
    case_services.custody_event_record(
        acting_user=boss,
        captive=wounded,
        kind=CustodyEventKind.INTERNED,
        occurred_at=at(date(2025, 1, 7)),
        place="Camp 2",
    )
    mistaken = case_services.custody_event_record(
        acting_user=boss,
        captive=wounded,
        kind=CustodyEventKind.HOSPITALIZED,
        occurred_at=at(date(2025, 1, 9)),
        place="Hospital",
    )
    case_services.custody_event_void(acting_user=boss, event=mistaken, reason="Wrong man")
    card = Obligation.objects.active().get(captive=wounded, kind=ObligationKind.CAPTURE_CARD)
    case_services.obligation_fulfil(
        acting_user=boss, obligation=card, fulfilled_on=date(2025, 1, 12), reference="CC-1"
    )
    # His power said to be RUS after all (the PRK involvement ends, and RUS is no longer his
    # ally), and KOR verifies him.
    case_services.captive_powers_set(
        acting_user=boss,
        captive=wounded,
        on=date(2025, 1, 15),
        power_depended_on=states["RUS"],
        allied_power=None,
    )
    case_services.involvement_record(
        acting_user=boss, captive=wounded, state=states["KOR"], role=InvolvementRole.VERIFIER
    )
    # His statement, first unassessed, then assessed as doubtful.
    statement = case_services.wish_statement_record(
        acting_user=boss,
        captive=wounded,
        wish=Wish.UNDECIDED,
        stated_at=at(date(2025, 1, 11)),
        mode=WishMode.CASEWORKER_INTERVIEW,
    )
    case_services.wish_statement_assess(
        acting_user=boss, statement=statement, voluntariness=Voluntariness.DOUBTFUL
    )

    # The same man registered twice.
    kept = soldier(family_name="Kim", given_names="Chol")
    duplicate = soldier(family_name="Kim", given_names="Cheol")
    case_services.duplicate_decide(
        acting_user=boss,
        captive=duplicate,
        other=kept,
        decision=DuplicateVerdict.SAME_PERSON,
        note="Same service number",
    )

    # A partner's reads.
    partner, _secret = partner_create(
        acting_user=boss,
        name="KOR ministry",
        kind=PartnerKind.STATE_AGENCY,
        scopes=["cases:read"],
        state=states["KOR"],
    )
    disclosure_record(
        partner=partner,
        reads=[(wounded.pk, DisclosureLevel.IDENTITY), (resettled.pk, DisclosureLevel.CASE)],
        method="GET",
        path="/api/v1/captives/",
    )
    for captive in (returned, excluded, resettled, wounded, kept, duplicate):
        captive.refresh_from_db()
    return {
        "states": states,
        "supervisor": boss,
        "returned": returned,
        "excluded": excluded,
        "resettled": resettled,
        "wounded": wounded,
        "mistaken_event": mistaken,
        "kept": kept,
        "duplicate": duplicate,
        "proposal": proposal,
        "transfer": transfer,
        "partner": partner,
        "printed": printed,
    }


def integrity(*arguments: str) -> tuple[int, dict[str, Any]]:
    """Run `manage.py integrity_check --json`: its exit status and its report."""
    out = StringIO()
    try:
        call_command("integrity_check", "--json", *arguments, stdout=out)
        status = 0
    except CommandError as failure:
        status = failure.returncode
    return status, json.loads(out.getvalue())


def failed(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The checks that failed, by name."""
    return {check["name"]: check for check in report["checks"] if check["status"] == "failed"}


def sql(statement: str, params: Any = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@contextmanager
def broken() -> Iterator[None]:
    """Break the database inside a savepoint that is rolled back afterwards: the test's register
    is whole again for the next test, and no constraint is left violated for the test's end."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def rewrite(model: Any, pk: int, **values: Any) -> None:
    """Change a record and its latest history entry alike, with raw SQL: a row as a restore
    from another point in time could bring it back, its history in step, breaking only what
    the services keep between tables."""
    quote = connection.ops.quote_name
    history = model.history.model
    sets = ", ".join(f"{quote(model._meta.get_field(f).column)} = %s" for f in values)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET {sets} WHERE id = %s",  # noqa: S608
            [*values.values(), pk],
        )
        latest = history.objects.filter(id=pk).order_by("-history_id").first()
        cursor.execute(
            f"UPDATE {quote(history._meta.db_table)} SET {sets} WHERE history_id = %s",  # noqa: S608
            [*values.values(), latest.history_id],
        )
