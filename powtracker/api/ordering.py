"""Ordering of every API list: a public field name may stand for what the reader may know of it
(`updated_at` is the version the reader sees: partners.disclosure, powtracker.disclosed), and
ties fall back on the id, so the same rows always come in the same order."""

from typing import Any

from django.db.models import QuerySet
from rest_framework.filters import OrderingFilter


class ReaderOrdering(OrderingFilter):
    def get_ordering(self, request: Any, queryset: QuerySet[Any], view: Any) -> list[str]:
        aliases = getattr(view, "ordering_aliases", {})
        ordering = []
        for term in super().get_ordering(request, queryset, view) or []:
            name = term.lstrip("-")
            ordering.append(term.replace(name, aliases.get(name, name)))
        return [*ordering, "pk"]
