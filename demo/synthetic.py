"""The synthetic data set for benchmarks: N fictional captives with their timelines, wishes,
involvements, obligations and history, written straight into the tables (COPY on PostgreSQL).

The rows are those the services (cases/services/, cases/gate.py) would have written had each
case been entered through them, in time order, by the loader user: the same case numbers, the
same denormalised fields on the captive, the same duties from the same events, one history row
("+", with the service's reason) for every row. Everything derives from the seed and the count:
no clock is read, so the same arguments give the same data.

Rules the generator keeps (and tests/demo/test_load_synthetic.py checks):
- a timeline starts with the capture and takes only steps CUSTODY_TRANSITIONS allows;
- a handover (exchange, repatriation, resettlement) happens only when the gate would clear it:
  his latest statement before it is a free wish to go there (recorded and assessed before);
- nothing happens after AS_OF (entries are recorded a day or two after what they record),
  before GC III or before his capture;
- a seriously wounded or sick captive never escapes, and carries one weekly health report,
  open while he is held and cancelled by the final event.
"""

import hashlib
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction

from cases.models import (
    Captive,
    CaptiveName,
    CaseNumberSequence,
    CustodyEvent,
    Involvement,
    NameKey,
    Obligation,
    WishStatement,
    name_keys_fill,
)
from demo.synthetic_cases import CaseBuilder, Ctx
from demo.synthetic_rows import AS_OF, CHUNK, LOADER_USERNAME, MARKER, PARTNERS, STATES, Writer
from partners.choices import PartnerKind
from partners.models import CaseShare, Partner
from states.models import State

__all__ = [
    "AS_OF",
    "LOADER_USERNAME",
    "MARKER",
    "MODELS",
    "content_hash",
    "loader_user",
    "partners_ensure",
    "states_ensure",
    "synthetic_load",
    "synthetic_seed_present",
]


# --- the set-up: loader, states, partners ----------------------------------------------------


def loader_user() -> Any:
    """The author of every synthetic record: holds every permission, cannot log in."""
    User = get_user_model()
    loader, created = User.objects.get_or_create(
        username=LOADER_USERNAME,
        defaults={"is_superuser": True, "first_name": "Synthetic data loader"},
    )
    if created:
        loader.set_unusable_password()
        loader.save()
    return loader


def states_ensure() -> dict[str, State]:
    out = {}
    for code, name, language in STATES:
        out[code], _ = State.objects.get_or_create(
            code=code, defaults={"name": name, "language": language}
        )
    return out


def partners_ensure(loader: Any, states: dict[str, State]) -> list[dict[str, str]]:
    """Create the benchmark's partners (or give an existing one a new secret): each one's
    client id and secret, readable once, for the benchmark to ask for tokens."""
    from partners.services import partner_create

    out = []
    for name, code, scopes, level in PARTNERS:
        partner = Partner.objects.filter(name=name).select_related("application").first()
        if partner is None:
            partner, secret = partner_create(
                acting_user=loader,
                name=name,
                kind=PartnerKind.STATE_AGENCY,
                scopes=scopes,
                state=states[code],
                default_level=level,
            )
        else:
            # A credential, not a case record: a new secret is how a lost one is replaced.
            import secrets

            secret = secrets.token_urlsafe(48)
            partner.application.client_secret = secret  # hashed on save
            partner.application.save(update_fields=["client_secret"])
        out.append(
            {
                "name": name,
                "state": code,
                "client_id": partner.application.client_id,
                "client_secret": secret,
                "scopes": " ".join(scopes),
            }
        )
    return out


MODELS = [Captive, CaptiveName, CustodyEvent, WishStatement, Obligation, Involvement, CaseShare]


def synthetic_seed_present() -> tuple[int, int] | None:
    """The seed and the number of synthetic captives already loaded, if any."""
    first = (
        Captive.objects.filter(fictional=True, notes__startswith=MARKER)
        .order_by("id")
        .values_list("notes", flat=True)
        .first()
    )
    if first is None:
        return None
    seed = int(first.rsplit("Seed ", 1)[1].rstrip("."))
    return seed, Captive.objects.filter(fictional=True, notes__startswith=MARKER).count()


def synthetic_load(
    *, count: int, seed: int, progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """Write `count` synthetic captives and everything about them, in one transaction."""
    with transaction.atomic():
        loader = loader_user()
        states = states_ensure()
        partners = partners_ensure(loader, states)
        kor_partner = Partner.objects.get(name=PARTNERS[1][0])
        writer = Writer(loader.pk, MODELS)
        sequences = {
            (row.detaining_power_code, row.year): row.last_value
            for row in CaseNumberSequence.objects.all()
        }
        ctx = Ctx(seed, count, states, writer, sequences, kor_partner.pk)
        first_id = writer.tables[Captive].next_id
        done = 0
        for start in range(0, count, CHUNK):
            for index in range(start, min(count, start + CHUNK)):
                CaseBuilder(ctx, index).build()
            writer.flush()
            done = min(count, start + CHUNK)
            if progress:
                progress(done)
        # The duplicate lookup's keys, as Captive.save() and CaptiveName.save() add them.
        name_keys_fill(min_id=first_id)
        for (code, year), value in sorted(sequences.items()):
            CaseNumberSequence.objects.update_or_create(
                detaining_power_code=code, year=year, defaults={"last_value": value}
            )
        if connection.vendor == "postgresql":
            models_all = [m for m in MODELS] + [m.history.model for m in MODELS]  # type: ignore[attr-defined]
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models_all):
                    cursor.execute(sql)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {NameKey._meta.db_table}")
            for m in MODELS:
                cursor.execute(f"ANALYZE {m._meta.db_table}")
                cursor.execute(f"ANALYZE {m.history.model._meta.db_table}")  # type: ignore[attr-defined]
    counts = {m._meta.label: writer.tables[m].count for m in MODELS}
    counts["history rows"] = sum(
        t.history.count for t in writer.tables.values() if t.history is not None
    )
    return {"counts": counts, "partners": partners}


def content_hash() -> str:
    """A digest of the main tables' content in id order (for the determinism test)."""
    digest = hashlib.sha256()
    for model in MODELS:
        names_ = [f.attname for f in model._meta.concrete_fields]
        for row in model._base_manager.order_by("pk").values_list(*names_):
            digest.update(repr(row).encode())
    return digest.hexdigest()
