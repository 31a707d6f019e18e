"""Pagination of the API's lists.

`Pagination` numbers pages (`?page=N`) and counts the list: fine for the short lists (proposals,
contacts, a captive's records).

`KeysetPagination` (the captive list, which holds up to hundreds of thousands): the `next` and
`previous` links carry a cursor, the position after the last row in the list's order, so a deep
page costs what the first does. The total is counted up to COUNT_CAP rows (`count`; above that
`count` is null and `count_exceeds` says so); `?count=true` asks for the exact total. `?page=N`
still works as before, for clients written for it, at the cost of reading past every page
before it.
"""

import base64
import binascii
import datetime as dt
import json
from collections import OrderedDict
from typing import Any

from django.db import connections, models
from django.db.models import F, OrderBy, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from powtracker.api.errors import APIError


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


# The most rows a list counts by itself: beyond it, the count is only given on request.
COUNT_CAP = 10_000


def among(queryset: QuerySet[Any], ids: list[int]) -> QuerySet[Any]:
    """The rows of `queryset` whose id is one of `ids`. On PostgreSQL the ids travel as one
    array (`id = ANY(%s)`): thousands of separate parameters would cost more to send and plan
    than the query itself."""
    if connections[queryset.db].vendor != "postgresql":
        return queryset.filter(pk__in=ids)
    opts = queryset.model._meta
    quote = connections[queryset.db].ops.quote_name
    column = f"{quote(opts.db_table)}.{quote(opts.pk.column)}"
    return queryset.extra(where=[f"{column} = ANY(%s)"], params=[ids])  # noqa: S610


def invalid_cursor() -> APIError:
    return APIError(
        400,
        "invalid_cursor",
        _("This cursor is not one this list gave out; follow the list's next or previous link."),
    )


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"dt"}:
        return dt.datetime.fromisoformat(value["dt"])
    if isinstance(value, dict) and set(value) == {"d"}:
        return dt.date.fromisoformat(value["d"])
    if isinstance(value, str | int) and not isinstance(value, bool):
        return value
    raise ValueError("not a cursor value")


def _value_kind(queryset: QuerySet[Any], name: str) -> type:
    """What a cursor's value for this ordering term must be: text, a whole number, a date or a
    moment (a model field's, or an annotation's output field's)."""
    if name == "pk":
        field: Any = queryset.model._meta.pk
    elif name in queryset.query.annotations:
        field = queryset.query.annotations[name].output_field
    else:
        field = queryset.model._meta.get_field(name)
    if isinstance(field, models.DateTimeField):
        return dt.datetime
    if isinstance(field, models.DateField):
        return dt.date
    if isinstance(field, models.IntegerField | models.AutoField):
        return int
    return str


def _value_check(kind: type, value: Any) -> None:
    """Refuse a value the list never gives out: of another type, out of the databases' range,
    or text a database cannot hold (NUL, lone surrogates)."""
    if kind is dt.datetime:
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise ValueError("not a moment")
        if not 2 <= value.year <= 9998:
            raise ValueError("out of range")
    elif kind is dt.date:
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            raise ValueError("not a date")
    elif kind is int:
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**63:
            raise ValueError("not an id")
    elif not isinstance(value, str) or "\x00" in value or len(value) > 1000:
        raise ValueError("not text")
    else:
        value.encode("utf-8")  # a lone surrogate raises UnicodeEncodeError, a ValueError


class KeysetPagination(Pagination):
    cursor_query_param = "cursor"
    count_query_param = "count"

    def paginate_queryset(
        self, queryset: Any, request: Request, view: Any = None
    ) -> list[Any] | None:
        self.request = request
        self.keyset = self.page_query_param not in request.query_params and isinstance(
            queryset, QuerySet
        )
        self.exact_count = self._count_wanted(request)
        if {self.page_query_param, self.cursor_query_param} <= set(request.query_params):
            raise APIError(400, "invalid", _("Give a page number or a cursor, not both."))
        if not self.keyset:
            return super().paginate_queryset(queryset, request, view)
        self.size = self.get_page_size(request) or 50
        self.terms = self._ordering(queryset)
        self.kinds = {
            term.lstrip("-"): _value_kind(queryset, term.lstrip("-")) for term in self.terms
        }
        listed = queryset
        self.total: int | None = None
        self.total_exceeds: int | None = None
        ids: list[int] | None = None
        if self.exact_count:
            self.total = queryset.count()
        else:
            # Counting and reading the ids of a short list is one query: up to COUNT_CAP + 1 ids.
            ids = list(queryset.order_by().values_list("pk", flat=True)[: COUNT_CAP + 1])
            if len(ids) > COUNT_CAP:
                self.total_exceeds, ids = COUNT_CAP, None
            else:
                self.total = len(ids)
        if ids is not None:
            # A short list: the page is found among its ids, which the database sorts, instead
            # of walking the whole register in the list's order looking for them (a partner's
            # captives need not be spread evenly through that order). The filters are already
            # in the ids: an order by the model's own columns needs nothing else.
            plain = {field.attname for field in queryset.model._meta.concrete_fields} | {"pk"}
            if all(term.lstrip("-") in plain for term in self.terms):
                queryset = queryset.model._base_manager.all()
            queryset = among(queryset, ids)
        cursor = request.query_params.get(self.cursor_query_param)
        backwards = False
        if cursor:
            backwards, values = self._read_cursor(cursor)
            queryset = queryset.filter(self._after(values, backwards=backwards))
        terms = [self._flip(term) for term in self.terms] if backwards else self.terms
        if ids is not None:
            # A short list is ordered by an expression no index serves (the value itself,
            # unchanged), so the database sorts the ids it was given instead of walking the
            # list's index across the whole register and testing each row against them.
            queryset = queryset.order_by(*(self._unindexed(term) for term in terms))
        elif backwards:
            queryset = queryset.order_by(*terms)
        # The page's ids first, from a narrow query (the order's columns and the filters), then
        # its rows with everything they carry: the database joins and reads only those rows.
        page_ids = list(queryset.values_list("pk", flat=True)[: self.size + 1])
        more = len(page_ids) > self.size
        page_ids = page_ids[: self.size]
        found = {row.pk: row for row in listed.order_by().filter(pk__in=page_ids)}
        rows = [found[pk] for pk in page_ids if pk in found]
        if backwards:
            rows.reverse()
        # Forwards, a cursor means rows before it exist; backwards, we came from rows after it.
        self.has_next = (more and not backwards) or (backwards and bool(rows))
        self.has_previous = (bool(cursor) and not backwards) or (backwards and more)
        self.rows = rows
        # An empty page (past the end, or its rows gone since the link was made) links back
        # from the position the cursor named.
        self.position = values if cursor else None
        return rows

    def get_paginated_response(self, data: Any) -> Response:
        if not self.keyset:
            response = super().get_paginated_response(data)
            return response
        body: OrderedDict[str, Any] = OrderedDict()
        body["count"] = self.total
        if self.total_exceeds is not None:
            body["count_exceeds"] = self.total_exceeds
        first = self._row_values(self.rows[0]) if self.rows else self.position
        last = self._row_values(self.rows[-1]) if self.rows else self.position
        body["next"] = self._link(last, backwards=False) if self.has_next and last else None
        body["previous"] = (
            self._link(first, backwards=True) if self.has_previous and first else None
        )
        body["results"] = data
        return Response(body)

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "nullable": True,
                    "description": (
                        f"The total, counted up to {COUNT_CAP:,}; null above that (see "
                        "count_exceeds) unless you ask count=true."
                    ),
                },
                "count_exceeds": {
                    "type": "integer",
                    "description": "Present when the list holds more than this many rows.",
                },
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The position in the list: take it from a next or previous link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.count_query_param,
                "required": False,
                "in": "query",
                "description": f"true: count the whole list, even beyond {COUNT_CAP:,}.",
                "schema": {"type": "boolean"},
            },
        ]

    # --- the cursor ------------------------------------------------------------------------

    def _count_wanted(self, request: Request) -> bool:
        value = request.query_params.get(self.count_query_param)
        if value in (None, "", "false"):
            return False
        if value == "true":
            return True
        raise APIError(400, "invalid", _("count is true or false."))

    @staticmethod
    def _ordering(queryset: QuerySet[Any]) -> list[str]:
        """The list's order (the ordering filter's, else the model's), ending on the id."""
        terms = [str(term) for term in (queryset.query.order_by or queryset.model._meta.ordering)]
        if not all(isinstance(term, str) for term in terms):
            raise TypeError("keyset pagination needs an ordering by field names")
        if not terms or terms[-1].lstrip("-") not in ("pk", "id"):
            terms.append("pk")
        return terms

    @staticmethod
    def _unindexed(term: str) -> OrderBy:
        name = term.lstrip("-")
        return OrderBy(Coalesce(F(name), F(name)), descending=term.startswith("-"))

    @staticmethod
    def _flip(term: str) -> str:
        return term[1:] if term.startswith("-") else f"-{term}"

    @staticmethod
    def _value(row: Any, name: str) -> Any:
        for part in name.split("__"):
            row = getattr(row, part)
        return row

    def _signature(self) -> list[str]:
        return self.terms

    def _row_values(self, row: Any) -> list[Any]:
        return [self._value(row, term.lstrip("-")) for term in self.terms]

    def _link(self, values: list[Any], *, backwards: bool) -> str:
        values = [_encode(value) for value in values]
        payload = json.dumps(
            {"o": self._signature(), "v": values, "b": backwards}, separators=(",", ":")
        )
        token = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
        url = self.request.build_absolute_uri()
        url = remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.cursor_query_param, token)

    def _read_cursor(self, cursor: str) -> tuple[bool, list[Any]]:
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
            if payload["o"] != self._signature() or not isinstance(payload["b"], bool):
                raise ValueError("another ordering")
            values = [_decode(value) for value in payload["v"]]
            if len(values) != len(self.terms):
                raise ValueError("wrong length")
            for term, value in zip(self.terms, values, strict=True):
                _value_check(self.kinds[term.lstrip("-")], value)
        except (ValueError, TypeError, KeyError, binascii.Error, UnicodeDecodeError) as error:
            raise invalid_cursor() from error
        return payload["b"], values

    def _after(self, values: list[Any], *, backwards: bool) -> Q:
        """Rows after the position in the list's order (before it, going backwards):
        (a > x) or (a = x and b > y) or …, with a bound on the first term so that an index on
        it gives a range scan."""
        position = Q(pk__in=[])
        equal = Q()
        for term, value in zip(self.terms, values, strict=True):
            name = term.lstrip("-")
            descending = term.startswith("-") != backwards
            position |= equal & Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
            equal &= Q(**{name: value})
        first = self.terms[0]
        name = first.lstrip("-")
        descending = first.startswith("-") != backwards
        return Q(**{f"{name}__{'lte' if descending else 'gte'}": values[0]}) & position
