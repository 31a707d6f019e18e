"""What a whole register satisfies about its printed documents (manage.py integrity_check,
powtracker.integrity): a duty fulfilled by a document cites one that fulfils it."""

from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext_lazy as _

from cases.choices import DOCUMENTS_FULFILLING
from cases.models import Obligation
from powtracker.integrity import Check, Failures, allowed_pairs, findings, register, table
from reports.models import GeneratedDocument

DOCUMENTS_FULFIL = Check(
    "documents.fulfil_their_duties",
    _(
        "A duty that cites the printed document sent for it is fulfilled, and the document is "
        "of a kind that fulfils such a duty and covers its captive."
    ),
)


@register(DOCUMENTS_FULFIL)
def documents(connection: BaseDatabaseWrapper, limit: int) -> dict[str, Failures]:
    quote = connection.ops.quote_name
    duties, printed = table(Obligation, connection), table(GeneratedDocument, connection)
    covers = GeneratedDocument._meta.get_field("captives")
    through = quote(covers.remote_field.through._meta.db_table)
    document_id, captive_id = quote(covers.m2m_column_name()), quote(covers.m2m_reverse_name())
    fulfils = allowed_pairs("o.kind", "d.kind", DOCUMENTS_FULFILLING)
    return findings(
        connection,
        f"""
        SELECT '{DOCUMENTS_FULFIL.name}' AS k, o.id AS ref FROM {duties} o
          JOIN {printed} d ON d.id = o.document_id
         WHERE o.fulfilled_on IS NULL OR NOT {fulfils} OR NOT EXISTS (
             SELECT 1 FROM {through} t
              WHERE t.{document_id} = d.id AND t.{captive_id} = o.captive_id
         )
        """,  # noqa: S608 — model metadata and constants only
        limit=limit,
        models_=Obligation,
    )
