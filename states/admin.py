"""The admin for the list of states."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from powtracker.admin import PermanentAdmin
from states import services
from states.models import State


@admin.register(State)
class StateAdmin(PermanentAdmin):
    list_display = ["code", "name_shown", "gc3_party", "language"]
    list_filter = ["gc3_party"]
    search_fields = ["code", "name"]

    @admin.display(description=_("name"), ordering="name")
    def name_shown(self, state: State) -> str:
        """Its name in the reader's language; the record's own name is on its page."""
        return state.local_name

    def save_model(self, request: HttpRequest, obj: State, form: Any, change: bool) -> None:
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            services.state_update(acting_user=request.user, state=obj, **changes)
            return
        created = services.state_create(acting_user=request.user, **form.cleaned_data)
        obj.pk = created.pk
