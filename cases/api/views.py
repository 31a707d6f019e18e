"""The captives API: list, read, correct; nested timeline, wishes, involvements, media,
obligations and history. Every read goes through the disclosure rules and into the ledger."""

from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from cases import services
from cases.api.filters import CaptiveFilter, CaptiveSearch
from cases.api.serializers import (
    CaptiveRegisteredSerializer,
    CaptiveRegisterSerializer,
    CaptiveSerializer,
    CaptiveUpdateSerializer,
    CustodyEventInputSerializer,
    CustodyEventSerializer,
    HistoryEntrySerializer,
    InvolvementSerializer,
    MatchInputSerializer,
    MatchOutputSerializer,
    MediaRecordSerializer,
    ObligationSerializer,
    WishStatementInputSerializer,
    WishStatementSerializer,
    history_fields,
    history_snapshot,
)
from cases.duplicates import duplicate_candidates
from cases.models import Captive, CaptiveName, CustodyEvent, WishStatement
from cases.names import script_of
from cases.selectors import CAPTIVE_SEARCH_FIELDS, states_attach
from partners.choices import DisclosureLevel
from partners.disclosure import (
    Viewer,
    captive_level,
    captives_for,
    involvements_for,
    level_allows,
    may_see_reasons,
    may_see_wishes,
    viewer_for,
)
from partners.services import disclosure_record
from powtracker.api.concurrency import idempotent, if_match_check, with_etag
from powtracker.api.ordering import ReaderOrdering
from powtracker.api.pagination import KeysetPagination
from powtracker.api.serializers import VoidInputSerializer
from reports.api.exports import captive_export_response

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag of the version you read; 412 if it changed since, 428 if missing.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Any unique string: a retry with the same key returns the first response.",
)


def captive_queryset() -> QuerySet[Captive]:
    """Captives with what their representation reads but the states (`states_attach` adds
    those to the rows read), in a fixed number of queries."""
    return Captive.objects.select_related("latest_wish_statement").prefetch_related(
        Prefetch("names", queryset=CaptiveName.objects.order_by("system", "id"))
    )


class DisclosureMixin:
    """Finds captives through the disclosure rules and writes each partner read to the ledger."""

    scope_area = "cases"
    lookup_value_regex = "[0-9]+"
    request: Request

    def viewer(self) -> Viewer:
        return viewer_for(self.request)

    def visible_captive(self, pk: Any, *, at_least: str = DisclosureLevel.IDENTITY) -> Captive:
        """The captive if this reader may see him at `at_least`; 404 otherwise, exactly as if
        he did not exist."""
        viewer = self.viewer()
        captive = captives_for(viewer, captive_queryset()).filter(pk=pk).first()
        if captive is None or not level_allows(viewer, captive, at_least):
            raise NotFound()
        return states_attach([captive])[0]

    def ledger(self, captives: list[Captive], *, level: str | None = None) -> None:
        """Record what the partner read of them: at its level for each, or at `level` when the
        answer holds less (a match shows identity only)."""
        viewer = self.viewer()
        if viewer.partner is not None and captives:
            disclosure_record(
                partner=viewer.partner,
                reads=[(c.pk, level or captive_level(viewer, c)) for c in captives],
                method=self.request.method,
                path=self.request.get_full_path(),
            )


@extend_schema_view(
    list=extend_schema(summary="List the captives you may see"),
    retrieve=extend_schema(summary="Read a captive (ETag header for later writes)"),
    partial_update=extend_schema(
        summary="Correct a captive's particulars",
        parameters=[IF_MATCH],
        request=CaptiveUpdateSerializer,
    ),
)
class CaptiveViewSet(
    DisclosureMixin,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CaptiveSerializer
    filterset_class = CaptiveFilter
    # A reader's `updated_at` is the one it may know (partners.disclosure.captives_for).
    ordering_aliases = {"updated_at": "shown_updated_at"}
    filter_backends = [DjangoFilterBackend, CaptiveSearch, ReaderOrdering]
    # For the schema's description of `search`; the search itself is CaptiveSearch.
    search_fields = [*CAPTIVE_SEARCH_FIELDS, "names__full_name"]
    ordering_fields = ["case_number", "family_name", "updated_at"]
    ordering = ["case_number"]
    # The list may hold hundreds of thousands: next/previous links carry a cursor.
    pagination_class = KeysetPagination
    http_method_names = ["get", "post", "patch", "head", "options"]
    required_scopes = {
        "export": "reports:export",
        "match": "cases:read",
        "create": "cases:register",
    }

    def get_queryset(self) -> QuerySet[Captive]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Captive.objects.none()
        return captives_for(self.viewer(), captive_queryset())

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "viewer": self.viewer()}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = states_attach(self.paginate_queryset(self.filter_queryset(self.get_queryset())))
        self.ledger(page)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Export the captives you may see (CSV, XLSX or JSON Lines), streamed",
        description=(
            "The list's filters, search and ordering apply; every page is exported. Redacted "
            "exactly like the list; every captive in the file is written to the disclosure "
            "ledger. The format is chosen with `as` (DRF keeps `format` for itself). Needs the "
            "scope `reports:export`."
        ),
        parameters=[
            OpenApiParameter(
                "as",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                required=True,
                enum=["csv", "xlsx", "jsonl"],
                description="csv (UTF-8 with BOM), xlsx, or jsonl (one JSON object a line)",
            ),
            OpenApiParameter(
                "X-Export-Password",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=False,
                description=(
                    "At least 12 characters: the file comes inside an AES-256 encrypted ZIP. "
                    "Required for a full-level export where the server says so "
                    "(export_password_required)."
                ),
            ),
        ],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    @action(detail=False, methods=["get"], url_path="export", pagination_class=None)
    def export(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return captive_export_response(self, request)

    @extend_schema(
        summary="Match a list of people against the captives you may see (creates nothing)",
        description=(
            "Up to 100 people, each with names in any script or romanization (Hangul, "
            "McCune–Reischauer, Revised Romanization, North Korean spellings, Cyrillic, Latin "
            "transliterations), a date or year of birth and a service number. For each, in the "
            "order sent, the captives you may see who may be that person, best first, with a "
            "score (0–100, proposed from 80) and the reasons. Candidates show identity-level "
            "fields only, and only captives you may see are ever considered: the answer does "
            "not depend on any other. Each candidate is written to the disclosure ledger. "
            "Needs the scope `cases:read`."
        ),
        request=MatchInputSerializer,
        responses={200: MatchOutputSerializer},
    )
    @action(detail=False, methods=["post"], url_path="match", pagination_class=None)
    def match(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = MatchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        visible = captives_for(self.viewer())
        results, shown = [], {}
        for index, person in enumerate(data.validated_data["people"]):
            reference = person.pop("reference", "")
            candidates = duplicate_candidates(queryset=visible, **person)
            shown.update({c.captive.pk: c.captive for c in candidates})
            results.append({"index": index, "reference": reference, "candidates": candidates})
        # A candidate is shown with identity-level fields only: so it is recorded.
        self.ledger([shown[pk] for pk in sorted(shown)], level=DisclosureLevel.IDENTITY)
        return Response(MatchOutputSerializer({"results": results}).data)

    @extend_schema(
        summary="Register a captive your state holds",
        description=(
            "For the agency of a state (partner kind `state_agency`) with the scope "
            "`cases:register`: registers him with your state as his detaining power (and as "
            "involved in his case), opens his timeline with the capture and gives him a case "
            "number. The answer is the captive as you now see him and `possible_duplicates`: "
            "the captives you may see who may be the same person (identity-level fields only; "
            "the answer does not depend on any captive you may not see). A caseworker of the "
            "bureau decides about them. Send an Idempotency-Key: a retry registers no one twice."
        ),
        request=CaptiveRegisterSerializer,
        responses={201: CaptiveRegisteredSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = CaptiveRegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields["names"] = [(n["system"], n["full_name"]) for n in fields.pop("names", [])]
        if fields.get("name_original"):
            fields["original_script"] = script_of(fields["name_original"])
        registered = services.captive_register_as_partner(acting_user=request.user, **fields)
        captive = self.visible_captive(registered.pk)
        candidates = duplicate_candidates(
            queryset=captives_for(self.viewer()),
            exclude=registered,
            family_name=registered.family_name,
            given_names=registered.given_names,
            name_original=registered.name_original,
            birth_date=registered.birth_date,
            birth_year=registered.birth_year,
            service_number=registered.service_number,
        )
        self.ledger([captive])
        # A candidate is shown with identity-level fields only: so it is recorded.
        self.ledger([c.captive for c in candidates], level=DisclosureLevel.IDENTITY)
        body = CaptiveRegisteredSerializer(
            {"captive": captive, "possible_duplicates": candidates},
            context=self.get_serializer_context(),
        ).data
        return with_etag(Response(body, status=status.HTTP_201_CREATED), captive)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        captive = self.visible_captive(kwargs["pk"])
        self.ledger([captive])
        return with_etag(Response(self.get_serializer(captive).data), captive)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not kwargs.get("partial"):
            raise NotFound()
        visible = self.visible_captive(kwargs["pk"], at_least=DisclosureLevel.CASE)
        changes = CaptiveUpdateSerializer(data=request.data, partial=True)
        changes.is_valid(raise_exception=True)
        with transaction.atomic():
            locked = Captive.objects.select_for_update().get(pk=visible.pk)
            # The version this reader knows is the one to match (read under the lock).
            if_match_check(request, self.visible_captive(visible.pk))
            services.captive_update(
                acting_user=request.user, captive=locked, **changes.validated_data
            )
        captive = self.visible_captive(visible.pk)
        self.ledger([captive])
        return with_etag(Response(self.get_serializer(captive).data), captive)


class NestedMixin(DisclosureMixin):
    """A list under /captives/{captive_pk}/ that needs a level (and perhaps the wish rules)."""

    level = DisclosureLevel.CASE

    def captive(self) -> Captive:
        captive = self.visible_captive(self.kwargs["captive_pk"], at_least=self.level)
        self.ledger([captive])
        return captive


class _CaptiveRecordsViewSet(NestedMixin, viewsets.GenericViewSet):
    """Recorded facts under a captive: list, read, record through a service, void with a reason.
    Subclasses say which records, how one is recorded and how one is voided."""

    filter_backends: list[Any] = []
    input_serializer_class: type[Any]

    def records(self, captive: Captive) -> QuerySet[Any]:
        raise NotImplementedError

    def record(self, request: Request, captive: Captive, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def void_record(self, request: Request, record: Any, reason: str) -> Any:
        raise NotImplementedError

    def list(self, request: Request, captive_pk: int) -> Response:
        page = self.paginate_queryset(self.records(self.captive()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, captive_pk: int, pk: int) -> Response:
        found = self.records(self.captive()).filter(pk=pk).first()
        if found is None:
            raise NotFound()
        return Response(self.get_serializer(found).data)

    @idempotent
    def create(self, request: Request, captive_pk: int) -> Response:
        captive = self.captive()
        data = self.input_serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        created = self.record(request, captive, data.validated_data)
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    @idempotent
    def void(self, request: Request, captive_pk: int, pk: int) -> Response:
        found = self.records(self.captive()).filter(pk=pk).first()
        if found is None:
            raise NotFound()
        data = VoidInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        voided = self.void_record(request, found, data.validated_data["reason"])
        return Response(self.get_serializer(voided).data)


@extend_schema_view(
    list=extend_schema(summary="A captive's custody timeline (case level)"),
    retrieve=extend_schema(summary="One custody event"),
    create=extend_schema(
        summary="Record a custody event",
        request=CustodyEventInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
    ),
    void=extend_schema(
        summary="Void a mistaken event, with the reason",
        request=VoidInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
    ),
)
class CustodyEventViewSet(_CaptiveRecordsViewSet):
    serializer_class = CustodyEventSerializer
    input_serializer_class = CustodyEventInputSerializer
    queryset = CustodyEvent.objects.none()

    def records(self, captive: Captive) -> QuerySet[CustodyEvent]:
        return captive.custody_events.select_related("custodian").order_by("occurred_at", "id")

    def record(self, request: Request, captive: Captive, data: dict[str, Any]) -> CustodyEvent:
        return services.custody_event_record(acting_user=request.user, captive=captive, **data)

    def void_record(self, request: Request, record: Any, reason: str) -> CustodyEvent:
        return services.custody_event_void(acting_user=request.user, event=record, reason=reason)


@extend_schema_view(
    list=extend_schema(summary="A captive's wish statements (full level, wishes:read)"),
    retrieve=extend_schema(summary="One wish statement"),
    create=extend_schema(
        summary="Record a wish statement as heard (not assessed)",
        request=WishStatementInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
    ),
    void=extend_schema(
        summary="Void a mistaken statement, with the reason",
        request=VoidInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
    ),
)
class WishStatementViewSet(_CaptiveRecordsViewSet):
    serializer_class = WishStatementSerializer
    input_serializer_class = WishStatementInputSerializer
    queryset = WishStatement.objects.none()
    level = DisclosureLevel.FULL
    required_scopes = {"list": "wishes:read", "retrieve": "wishes:read"}

    def captive(self) -> Captive:
        # The same 404 for every captive whose wishes this reader may not see, whatever he said.
        captive = self.visible_captive(self.kwargs["captive_pk"], at_least=self.level)
        if not may_see_wishes(self.viewer(), captive):
            raise NotFound()
        self.ledger([captive])
        return captive

    def records(self, captive: Captive) -> QuerySet[WishStatement]:
        return captive.wish_statements.select_related("destination").order_by("stated_at", "id")

    def record(self, request: Request, captive: Captive, data: dict[str, Any]) -> WishStatement:
        return services.wish_statement_record(acting_user=request.user, captive=captive, **data)

    def void_record(self, request: Request, record: Any, reason: str) -> WishStatement:
        return services.wish_statement_void(
            acting_user=request.user, statement=record, reason=reason
        )


class _ReadOnlyNested(NestedMixin, viewsets.GenericViewSet):
    queryset = Captive.objects.none()
    filter_backends: list[Any] = []

    def rows(self, captive: Captive) -> Any:
        raise NotImplementedError

    def list(self, request: Request, captive_pk: int) -> Response:
        page = self.paginate_queryset(self.rows(self.captive()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="The states involved in a captive's case (case level)")
)
class InvolvementViewSet(_ReadOnlyNested):
    serializer_class = InvolvementSerializer

    def rows(self, captive: Captive) -> Any:
        return (
            involvements_for(self.viewer(), captive)
            .select_related("state")
            .order_by("role", "state__code")
        )


@extend_schema_view(list=extend_schema(summary="Media about a captive (case level)"))
class MediaViewSet(_ReadOnlyNested):
    serializer_class = MediaRecordSerializer

    def rows(self, captive: Captive) -> Any:
        return (
            captive.media_records.active()
            .select_related("publisher_state")
            .order_by("-published_on", "-id")
        )


@extend_schema_view(list=extend_schema(summary="A captive's GC III obligations (case level)"))
class ObligationViewSet(_ReadOnlyNested):
    serializer_class = ObligationSerializer

    def rows(self, captive: Captive) -> Any:
        return captive.obligations.order_by("due_on", "id")


@extend_schema_view(
    list=extend_schema(summary="Every saved version of the captive, as far as you may see it")
)
class HistoryViewSet(_ReadOnlyNested):
    serializer_class = HistoryEntrySerializer
    level = DisclosureLevel.IDENTITY

    def rows(self, captive: Captive) -> Any:
        """Only the versions that changed something this reader may see, newest first — so the
        history reveals no more than the record itself."""
        viewer = self.viewer()
        fields = history_fields(viewer, captive)
        with_reasons = may_see_reasons(viewer, captive)
        entries, previous = [], None
        for row in captive.history.order_by("history_id"):
            values = history_snapshot(row, fields)
            if values != previous:
                entries.append(
                    {
                        "version": len(entries) + 1,
                        "history_date": row.history_date,
                        "history_type": row.history_type,
                        "history_change_reason": row.history_change_reason
                        if with_reasons
                        else None,
                        "values": values,
                    }
                )
            previous = values
        return entries[::-1]
