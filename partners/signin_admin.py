"""The sign-in audit in the admin: django-axes' records, readable by supervisors, never edited;
and the lockouts supervisors lift, each recorded."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from partners.models import LockoutLift
from partners.signin import lockout_lift
from powtracker.admin import RecordsAdmin
from powtracker.errors import RuleError


class SigninAuditAdmin(RecordsAdmin):
    """Read-only, with no bulk action."""

    actions = None


@admin.register(AccessLog)
class SigninAdmin(SigninAuditAdmin, AccessLogAdmin):
    """Successful sign-ins (admin sessions and tokens issued to partners)."""


@admin.register(AccessFailureLog)
class SigninFailureAdmin(SigninAuditAdmin, AccessFailureLogAdmin):
    """Every failed sign-in, marked when it was refused by a lockout."""


@admin.register(AccessAttempt)
class SigninAttemptAdmin(SigninAuditAdmin, AccessAttemptAdmin):
    """The failure counts that lockouts are decided on (cleared once the cool-off has passed, or
    when a supervisor lifts the lockout: the one action here, recorded as a lockout lift)."""

    actions = ["lift"]

    def has_lift_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("partners.add_lockoutlift")

    @admin.action(permissions=["lift"], description=_("Lift the lockout of the selected"))
    def lift(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        try:
            lifted = lockout_lift(acting_user=request.user, attempts=queryset)
        except RuleError as refusal:
            self.message_user(request, " ".join(refusal.messages), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext(
                "Lifted %(count)d lockout count; recorded under Lockout lifts.",
                "Lifted %(count)d lockout counts; recorded under Lockout lifts.",
                len(lifted),
            )
            % {"count": len(lifted)},
            messages.SUCCESS,
        )


@admin.register(LockoutLift)
class LockoutLiftAdmin(RecordsAdmin):
    """Who lifted which lockout, and when: supervisors read it, nobody changes or deletes it."""

    actions = None
    list_display = ["lifted_at", "lifted_by", "username", "ip_address", "failures"]
    list_select_related = ["lifted_by"]
    search_fields = ["username", "ip_address", "lifted_by__username"]
    date_hierarchy = "lifted_at"
