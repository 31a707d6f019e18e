"""Filters of the captive list. Filters on fields some readers may not see apply, for them, only
among the captives whose field they may see — so a filter can never reveal a hidden value."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from rest_framework.filters import OrderingFilter

from cases.choices import CustodyEventKind, Wish
from cases.models import Captive
from partners.choices import DisclosureLevel
from partners.disclosure import level_q, viewer_for, wishes_q


class CaptiveFilter(django_filters.FilterSet):
    custody_status = django_filters.ChoiceFilter(choices=CustodyEventKind.choices)
    nationality = django_filters.CharFilter(
        field_name="nationality__code", label="Nationality (ISO alpha-3)"
    )
    detaining_power = django_filters.CharFilter(
        field_name="detaining_power__code", label="Detaining power (ISO alpha-3)"
    )
    # A reader's `updated_at` is the one it may know (partners.disclosure.captives_for).
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="shown_updated_at",
        lookup_expr="gte",
        label="Changed (as far as you may see) at or after (ISO 8601)",
    )
    effective_wish = django_filters.ChoiceFilter(choices=Wish.choices, method="filter_wish")
    captured_after = django_filters.DateFilter(
        method="filter_captured_after", label="Captured on or after"
    )
    captured_before = django_filters.DateFilter(
        method="filter_captured_before", label="Captured on or before"
    )

    class Meta:
        model = Captive
        fields: list[str] = []

    def _viewer(self) -> Any:
        return viewer_for(self.request)

    def filter_wish(self, queryset: QuerySet[Captive], name: str, value: str) -> QuerySet[Captive]:
        return queryset.filter(wishes_q(self._viewer()), effective_wish=value)

    def filter_captured_after(
        self, queryset: QuerySet[Captive], name: str, value: Any
    ) -> QuerySet[Captive]:
        return queryset.filter(
            level_q(self._viewer(), DisclosureLevel.CASE), captured_on__gte=value
        )

    def filter_captured_before(
        self, queryset: QuerySet[Captive], name: str, value: Any
    ) -> QuerySet[Captive]:
        return queryset.filter(
            level_q(self._viewer(), DisclosureLevel.CASE), captured_on__lte=value
        )


class CaptiveOrdering(OrderingFilter):
    """Ordering by `updated_at` follows the reader's own `updated_at` (so it never moves with
    what is hidden from it); ties fall back on the id, so the order is always the same."""

    ALIASES = {"updated_at": "shown_updated_at"}

    def get_ordering(self, request: Any, queryset: QuerySet[Captive], view: Any) -> list[str]:
        ordering = []
        for term in super().get_ordering(request, queryset, view) or []:
            descending = term.startswith("-")
            name = self.ALIASES.get(term.lstrip("-"), term.lstrip("-"))
            ordering.append(f"-{name}" if descending else name)
        return [*ordering, "id"]
