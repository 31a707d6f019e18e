"""The sign-in audit in the admin: django-axes' records, readable by supervisors, never edited."""

from typing import Any

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.http import HttpRequest

from powtracker.admin import StrictParametersMixin


class SigninAuditAdmin(StrictParametersMixin, admin.ModelAdmin):
    """Read-only: no add, change, delete or bulk action, whoever asks (superusers included);
    junk in its query string is refused like everywhere else."""

    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
