"""What a whole register satisfies about the disclosure ledger (manage.py integrity_check,
powtracker.integrity): every read names a partner and a captive that exist, at a level that
exists, and no read is older than what it read."""

from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext_lazy as _

from cases.models import Captive
from partners.choices import DisclosureLevel
from partners.models import DisclosureRecord, Partner
from powtracker.integrity import (
    Check,
    Failures,
    findings,
    register,
    seconds_before,
    table,
    text_list,
)

LEDGER_NAMES = Check(
    "ledger.names_partner_and_captive",
    _("Every ledger row names a partner and a captive that exist."),
)
LEDGER_LEVELS = Check(
    "ledger.levels_valid",
    _("Every ledger row records a disclosure level that exists (identity, case, full)."),
)
LEDGER_CHRONOLOGY = Check(
    "ledger.read_after_registration",
    _(
        "No read is dated before the partner or the captive it names was registered (the "
        "ledger is only ever appended to, as reads happen: an older row naming a newer record "
        "means a table came back from another point in time). A minute is allowed for the "
        "clocks of several app servers."
    ),
)
# How far the clocks of two app servers may disagree (a read's time and a registration's are
# each the clock of the server that wrote them).
CLOCK_SKEW_SECONDS = 60


@register(LEDGER_NAMES, LEDGER_LEVELS, LEDGER_CHRONOLOGY)
def ledger(connection: BaseDatabaseWrapper, limit: int) -> dict[str, Failures]:
    reads, partners = table(DisclosureRecord, connection), table(Partner, connection)
    captives = table(Captive, connection)
    return findings(
        connection,
        f"""
        SELECT '{LEDGER_NAMES.name}' AS k, r.id AS ref FROM {reads} r
          LEFT JOIN {partners} p ON p.id = r.partner_id
          LEFT JOIN {captives} c ON c.id = r.captive_id
         WHERE p.id IS NULL OR c.id IS NULL
        UNION ALL
        SELECT '{LEDGER_LEVELS.name}', r.id FROM {reads} r
         WHERE r.level NOT IN {text_list(DisclosureLevel.values)}
        UNION ALL
        SELECT '{LEDGER_CHRONOLOGY.name}', r.id FROM {reads} r
          JOIN {partners} p ON p.id = r.partner_id
          JOIN {captives} c ON c.id = r.captive_id
         WHERE r.read_at < {seconds_before("p.created_at", CLOCK_SKEW_SECONDS, connection)}
            OR r.read_at < {seconds_before("c.created_at", CLOCK_SKEW_SECONDS, connection)}
        """,  # noqa: S608 — model metadata and constants only
        limit=limit,
        models_=DisclosureRecord,
    )
