"""The admin for the states involved in a case (his page shows them too, as an inline)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from cases import services
from cases.models import Involvement
from powtracker.admin import PermanentAdmin


@admin.register(Involvement)
class InvolvementAdmin(PermanentAdmin):
    """The states in a case. His power depended on and its ally are among them, one of each at
    a time; ending one and adding another is how his power changes (as his page's fields do)."""

    list_display = ["captive", "state", "role", "started_on", "ended_on"]
    list_select_related = ["captive", "state"]
    list_filter = ["role", "state"]
    search_fields = ["captive__case_number", "captive__family_name", "state__code", "position"]
    autocomplete_fields = ["captive", "state"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # What an involvement is (whose case, which state, which role) is fixed once recorded.
        return ["captive", "state", "role"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Involvement, form: Any, change: bool) -> None:
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            services.involvement_update(acting_user=request.user, involvement=obj, **changes)
            return
        created = services.involvement_record(acting_user=request.user, **form.cleaned_data)
        obj.pk = created.pk
