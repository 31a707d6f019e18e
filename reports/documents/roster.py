"""The exchange roster of a proposal: every captive handed over (with the Art. 109–110 flag on
the seriously wounded and sick), the persons received in return, and the signature blocks of
both states and of the ICRC as witness.

Every page carries the document's reference and the proposal's version (its ETag,
powtracker.disclosed.etag_for), so a signed roster is tied to the list that was agreed:
any change to the list gives the proposal a new version, and a new print carries it."""

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise

from cases.choices import Script
from diplomacy.choices import InclusionStatus
from diplomacy.models import ExchangeProposal
from powtracker.disclosed import etag_for
from reports.documents import labels as T
from reports.documents.labels import in_languages
from reports.documents.render import render_pdf
from states.models import State

# Who is on the roster: those still included, and, once the exchange is executed, those it
# handed over. Excluded and withdrawn captives are not handed over and are not printed.
ON_ROSTER = (InclusionStatus.INCLUDED, InclusionStatus.HANDED_OVER)


def proposal_version(proposal: ExchangeProposal) -> str:
    """The version printed on the roster and recorded with it: the proposal's ETag, unquoted."""
    return etag_for(proposal).strip('"')


def roster_languages(proposal: ExchangeProposal) -> list[str]:
    """The languages of the state handing over, of the state receiving, and English."""
    languages = [
        proposal.proposing_state.language or "en",
        proposal.counterpart_state.language or "en",
        "en",
    ]
    return list(dict.fromkeys(languages))


def _state(state: State | None) -> str:
    return f"{state.name} ({state.code})" if state is not None else ""


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def roster_data(
    proposal: ExchangeProposal, *, at: dt.datetime, reference: str
) -> tuple[dict[str, Any], list[str]]:
    """What the template prints, and the languages of its labels."""
    languages = roster_languages(proposal)

    def label(text: Promise | str) -> list[str]:
        return in_languages(text, languages)

    def inline(text: Promise | str) -> str:
        return " / ".join(label(text))

    health = {key: inline(text) for key, text in T.HEALTH_STATES.items()}
    offers = (
        proposal.offered_captives.filter(inclusion_status__in=ON_ROSTER)
        .select_related("captive")
        .order_by("captive__case_number", "captive_id")
    )
    captives = []
    for number, offer in enumerate(offers, start=1):
        captive = offer.captive
        own_script = captive.name_original if captive.original_script != Script.LATIN else ""
        captives.append(
            {
                "n": str(number),
                "case": captive.case_number,
                "own": own_script,
                "family": captive.family_name.upper(),
                "given": captive.given_names,
                "rank": captive.rank,
                "service": captive.service_number,
                "health": health.get(captive.health, captive.health),
                "flag": captive.is_seriously_ill_or_wounded,
            }
        )
    received = []
    for number, person in enumerate(
        proposal.requested_persons.select_related("held_by").order_by("id"), start=1
    ):
        received.append(
            {
                "n": str(number),
                "name": person.name or inline(T.UNNAMED_GROUP),
                "named": bool(person.name),
                "count": str(person.count) if person.count else inline(T.UNSPECIFIED),
                "description": person.description,
                "held_by": _state(person.held_by),
            }
        )
    version = proposal_version(proposal)
    printed = f"{timezone.localtime(at):%Y-%m-%d %H:%M}"
    details = [
        (T.PROPOSAL, proposal.title),
        (T.PROPOSING_STATE, _state(proposal.proposing_state)),
        (T.COUNTERPART_STATE, _state(proposal.counterpart_state)),
        (T.MEDIATOR, _state(proposal.mediator)),
        (T.STATUS, inline(T.PROPOSAL_STATUSES.get(proposal.status, proposal.status))),
        (T.PROPOSED_ON, _date(proposal.proposed_on)),
        (T.EXPIRES_ON, _date(proposal.expires_on)),
        (T.DECIDED_ON, _date(proposal.decided_on)),
        (T.EXECUTED_ON, _date(proposal.executed_on)),
    ]
    signature_fields = [
        label(text) for text in (T.FULL_NAME, T.FUNCTION, T.PLACE, T.DATE, T.SIGNATURE)
    ]
    data = {
        "title": f"{T.ROSTER_TITLE} — {proposal.title} — {reference}",
        "lang": languages[0],
        "reference": reference,
        "version": version,
        "version_label": label(T.VERSION),
        "version_note": label(T.VERSION_NOTE),
        "header": f"{inline(T.ROSTER_TITLE)} · {reference}",
        "footer": f"powtracker · {reference} · {inline(T.PRINTED)} {printed}",
        "heading": label(T.ROSTER_TITLE),
        "subheading": label(T.ROSTER_SUBTITLE),
        "details": [{"label": label(text), "value": value} for text, value in details],
        "handed_over": label(T.HANDED_OVER),
        "listed": {"label": label(T.LISTED), "value": str(len(captives))},
        "columns": [
            label(text)
            for text in (
                T.ROW_NUMBER,
                T.CASE_NUMBER,
                T.OWN_SCRIPT,
                T.FAMILY_NAME_LATIN,
                T.GIVEN_NAMES_LATIN,
                T.RANK,
                T.SERVICE_NUMBER,
                T.HEALTH,
                T.FLAG,
            )
        ],
        "captives": captives,
        "flag_legend": label(T.FLAG_LEGEND),
        "none": inline(T.NONE_LISTED),
        "received": label(T.RECEIVED),
        "received_columns": [
            label(text)
            for text in (T.ROW_NUMBER, T.RECEIVED_NAME, T.COUNT, T.DESCRIPTION, T.HELD_BY)
        ],
        "persons": received,
        "signatures": label(T.SIGNATURES),
        "signature_fields": signature_fields,
        "parties": [
            {"role": label(T.FOR_PROPOSING), "name": [_state(proposal.proposing_state)]},
            {"role": label(T.FOR_COUNTERPART), "name": [_state(proposal.counterpart_state)]},
            {"role": label(T.WITNESS), "name": label(T.ICRC)},
        ],
    }
    return data, languages


def exchange_roster(
    proposal: ExchangeProposal, *, at: dt.datetime, reference: str
) -> tuple[bytes, list[str]]:
    """The roster of this proposal as it stands in the database, dated `at`."""
    proposal = ExchangeProposal.objects.select_related(
        "proposing_state", "counterpart_state", "mediator"
    ).get(pk=proposal.pk)
    data, languages = roster_data(proposal, at=at, reference=reference)
    return render_pdf("exchange_roster", data, at=at), languages
