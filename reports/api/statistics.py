"""GET /api/v1/statistics/: the statistics over only the cases a partner may see, each count of
1 to 4 shown as "<5" (small-cell suppression)."""

from typing import Any

from django.conf import settings
from django.utils import translation
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from partners.choices import DisclosureLevel
from partners.disclosure import captives_for, level_q, viewer_for, wishes_q
from reports.statistics import (
    SUPPRESSED,
    SUPPRESSION_THRESHOLD,
    Table,
    statistics_tables,
    suppressed,
)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer", "minimum": 0},
            {"type": "string", "enum": [SUPPRESSED]},
        ],
        "description": 'A count; from 1 to 4 it is the string "<5".',
    }
)
class SuppressedCountField(serializers.Field):
    def to_representation(self, value: int) -> int | str:
        return suppressed(value)


class CountRowSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text='The value counted: a choice, a state\'s code, or "none" where nothing is '
        "recorded.",
    )
    label = serializers.CharField()
    count = SuppressedCountField()


class ObligationRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The obligation's kind.")
    label = serializers.CharField()
    due = SuppressedCountField(help_text="Open and not yet past its deadline.")
    overdue = SuppressedCountField(help_text="Open and past its deadline.")


class CaptureMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    count = SuppressedCountField()


class HandoverMonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    exchanged = SuppressedCountField()
    repatriated = SuppressedCountField()


class StatisticsSerializer(serializers.Serializer):
    suppression_threshold = serializers.IntegerField(
        help_text='Counts from 1 up to this number less one are shown as the string "<5".'
    )
    captives = SuppressedCountField(help_text="Every captive you may see.")
    custody_status = CountRowSerializer(many=True, help_text="Every captive you may see.")
    nationality = CountRowSerializer(many=True, help_text="Every captive you may see.")
    detaining_power = CountRowSerializer(many=True, help_text="Every captive you may see.")
    health = CountRowSerializer(many=True, help_text="Captives you see at case level or above.")
    effective_wish = CountRowSerializer(
        many=True,
        help_text="Only captives whose wishes you may see (full level, wishes:read, and not "
        "hostile to him); every wish is listed, with 0 where none.",
    )
    obligations = ObligationRowSerializer(
        many=True, help_text="Open obligations of captives you see at case level or above."
    )
    captures_per_month = CaptureMonthSerializer(
        many=True, help_text="Captives you see at case level or above, by capture month."
    )
    handovers_per_month = HandoverMonthSerializer(
        many=True,
        help_text="Exchanges and repatriations (not voided) of captives you see at case level "
        "or above, by month.",
    )


def _rows(table: Table, names: tuple[str, ...], key: str = "key") -> list[dict[str, Any]]:
    rows = []
    for row in table.rows:
        item: dict[str, Any] = {key: row.key}
        if key == "key":
            item["label"] = row.label
        item.update(zip(names, row.counts, strict=True))
        rows.append(item)
    return rows


def by_key(row: dict[str, Any]) -> str:
    return row["key"]


def statistics_for_reader(request: Request) -> dict[str, Any]:
    """The statistics as this reader may know them: identity-level counts over every captive it
    sees, case-level counts over those it sees at case level, wishes over those it may read.
    Its labels are data, in English whatever Accept-Language asks (only error messages follow
    it): a partner's copy must not change with the language it happens to send."""
    with translation.override(settings.LANGUAGE_CODE):
        return _statistics(request)


def _statistics(request: Request) -> dict[str, Any]:
    viewer = viewer_for(request)
    seen = captives_for(viewer)
    tables = {
        table.key: table
        for table in statistics_tables(
            seen,
            case_captives=seen.filter(level_q(viewer, DisclosureLevel.CASE)),
            wish_captives=seen.filter(wishes_q(viewer)),
        )
    }
    return {
        "suppression_threshold": SUPPRESSION_THRESHOLD,
        "captives": tables["custody_status"].total,
        "custody_status": _rows(tables["custody_status"], ("count",)),
        # By code, not by size: the order of two "<5" rows would tell which is larger.
        "nationality": sorted(_rows(tables["nationality"], ("count",)), key=by_key),
        "detaining_power": sorted(_rows(tables["detaining_power"], ("count",)), key=by_key),
        "health": _rows(tables["health"], ("count",)),
        "effective_wish": _rows(tables["effective_wish"], ("count",)),
        "obligations": _rows(tables["obligations"], ("due", "overdue")),
        "captures_per_month": _rows(tables["captures_per_month"], ("count",), key="month"),
        "handovers_per_month": _rows(
            tables["handovers_per_month"], ("exchanged", "repatriated"), key="month"
        ),
    }


class StatisticsView(APIView):
    scope_area = "cases"

    @extend_schema(
        summary="Statistics over the cases you may see",
        description=(
            "Aggregates over only the captives disclosed to you. Counts from 1 to 4 are shown as "
            'the string "<5" so that no count singles anyone out; zero stays 0. Health, captures, '
            "obligations and handovers count only the captives you see at case level; the wish "
            "breakdown counts only the captives whose wishes you may read, so it never reflects "
            "the wishes of a captive you are hostile to."
        ),
        responses=StatisticsSerializer,
    )
    def get(self, request: Request) -> Response:
        return Response(StatisticsSerializer(statistics_for_reader(request)).data)
