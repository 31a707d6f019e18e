"""The staff statistics page in the admin, with its charts, its tables and its XLSX download."""

import io
from typing import Any

import xlsxwriter
from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.models import Captive
from reports.charts import bar_chart
from reports.exports import cell_value
from reports.statistics import Table, captives_filtered, statistics_tables
from states.models import State

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class StatisticsFilterForm(forms.Form):
    captured_from = forms.DateField(
        label=_("Captured from"), required=False, widget=AdminDateWidget
    )
    captured_to = forms.DateField(label=_("Captured to"), required=False, widget=AdminDateWidget)
    detaining_power = forms.ModelChoiceField(
        label=_("Detaining power"),
        queryset=State.objects.order_by("code"),
        required=False,
        empty_label=_("All"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("captured_from"), data.get("captured_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start of the range is after its end."))
        return data


def statistics_view(request: HttpRequest) -> HttpResponse:
    """Counts of the captives in the chosen range, each as a chart beside its table."""
    if not request.user.has_perm("cases.view_captive"):
        raise PermissionDenied
    form = StatisticsFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        power = form.cleaned_data["detaining_power"]
        filters = {
            "captured_from": form.cleaned_data["captured_from"],
            "captured_to": form.cleaned_data["captured_to"],
            "detaining_power_id": power.pk if power else None,
        }
    refused = form.is_bound and not form.is_valid()
    if refused and request.GET.get("download") == "xlsx":
        # Never the whole register in place of a selection the user believes was applied.
        errors = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponseBadRequest(
            gettext("These filters are not valid: %(errors)s") % {"errors": errors},
            content_type="text/plain; charset=utf-8",
        )
    tables = (
        [] if refused else statistics_tables(captives_filtered(Captive.objects.all(), **filters))
    )
    if request.GET.get("download") == "xlsx":
        return statistics_xlsx_response(tables)
    query = request.GET.copy()
    query["download"] = "xlsx"
    context = {
        **admin.site.each_context(request),
        "title": gettext("Statistics"),
        # The charts need the width more than the app list does.
        "is_nav_sidebar_enabled": False,
        "form": form,
        # The admin's calendar for the dates, written as every date is (ISO 8601).
        "media": forms.Media(js=["admin/js/core.js"]) + form.media,
        "total": tables[0].total if tables else 0,
        "refused": refused,
        "tables": [(table, bar_chart(table)) for table in tables],
        "xlsx_query": query.urlencode(),
    }
    return TemplateResponse(request, "reports/statistics.html", context)


def statistics_xlsx(tables: list[Table]) -> bytes:
    """One sheet a table: its heading row, then one row a label."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = workbook.add_format({"bold": True})
    for table in tables:
        sheet = workbook.add_worksheet(table.sheet_name)
        # Labels are register text (a state's name): made harmless as in every export.
        headings = [table.label_heading, *table.columns]
        for column, heading in enumerate(headings):
            sheet.write_string(0, column, str(cell_value(str(heading))), bold)
        for index, row in enumerate(table.rows, start=1):
            sheet.write_string(index, 0, str(cell_value(row.label)))
            sheet.write_row(index, 1, row.counts)
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, len(table.columns), 14)
    workbook.close()
    return buffer.getvalue()


def statistics_xlsx_response(tables: list[Table]) -> HttpResponse:
    response = HttpResponse(statistics_xlsx(tables), content_type=XLSX_TYPE)
    filename = f"statistics-{timezone.localdate().isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
