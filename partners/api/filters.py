"""Filters of the captive list. Filters on fields some readers may not see apply, for them, only
among the captives whose field they may see — so a filter can never reveal a hidden value."""

import datetime as dt
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField
from rest_framework.filters import SearchFilter

from cases.choices import CustodyEventKind, Wish
from cases.models import Captive
from cases.selectors import captive_search
from partners.choices import DisclosureLevel
from partners.disclosure import level_q, viewer_for, wishes_q


class MomentField(IsoDateTimeField):
    """An ISO 8601 moment that exists in UTC too (0001-01-01T00:00+14:00 does not)."""

    def clean(self, value: Any) -> Any:
        moment = super().clean(value)
        if moment is not None:
            try:
                moment.astimezone(dt.UTC)
            except OverflowError as error:
                raise ValidationError(_("This moment is out of range."), code="invalid") from error
        return moment


class MomentFilter(django_filters.IsoDateTimeFilter):
    field_class = MomentField


class CaptiveFilter(django_filters.FilterSet):
    custody_status = django_filters.ChoiceFilter(choices=CustodyEventKind.choices)
    nationality = django_filters.CharFilter(
        field_name="nationality__code", label="Nationality (ISO alpha-3)"
    )
    detaining_power = django_filters.CharFilter(
        field_name="detaining_power__code", label="Detaining power (ISO alpha-3)"
    )
    # A reader's `updated_at` is the one it may know (partners.disclosure.captives_for).
    updated_since = MomentFilter(
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


class CaptiveSearch(SearchFilter):
    """`search`: the one name search (cases.selectors.captive_search) over the captives this
    reader may see; it reads only identity fields and renderings, which every reader sees."""

    def filter_queryset(
        self, request: Any, queryset: QuerySet[Captive], view: Any
    ) -> QuerySet[Captive]:
        return captive_search(queryset, request.query_params.get(self.search_param, ""))
