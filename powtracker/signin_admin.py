"""The sign-in audit in the admin: django-axes' records, readable by supervisors, never edited."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin

from powtracker.admin import RecordsAdmin


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
    """The failure counts that lockouts are decided on (cleared once the cool-off has passed)."""

    actions = None
