"""The admin for partners: register, revoke, share cases, and read the disclosure ledger."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import AccessToken, Application, Grant, IDToken, RefreshToken

from partners import services
from partners.models import CaseShare, DisclosureRecord, Partner
from powtracker.admin import CHANGE_LIST_WITH_PARTS, PermanentAdmin, RecordsAdmin


class PartnerForm(forms.ModelForm):
    scope_list = forms.MultipleChoiceField(
        label=_("Scopes"), choices=[], widget=forms.CheckboxSelectMultiple, required=False
    )
    revoke_with_reason = forms.CharField(
        label=_("Revoke with reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Revoking stops its tokens at once; it cannot be undone."),
    )

    class Meta:
        model = Partner
        fields = ["name", "kind", "state", "default_level"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["scope_list"].choices = [
            (s, f"{s} — {gettext(d)}") for s, d in settings.API_SCOPES.items()
        ]
        if self.instance.pk:
            self.fields["scope_list"].initial = sorted(self.instance.scope_set)
            self.fields["scope_list"].disabled = True


# OAuth2 clients and tokens are made and revoked only with their partner (Partners › Add,
# Revoke): django-oauth-toolkit's own admin pages would edit them past those services.
for _model in (Application, AccessToken, Grant, IDToken, RefreshToken):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(Partner)
class PartnerAdmin(PermanentAdmin):
    form = PartnerForm
    list_display = ["name", "kind", "state", "scopes", "default_level", "active", "client_id"]
    list_filter = ["kind", "default_level", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "application__client_id"]
    autocomplete_fields = ["state"]
    readonly_fields = ["client_id", "service_user", "revoked_at", "revocation_reason", "created_at"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        main = ["name", "kind", "state", "default_level", "scope_list"]
        if obj is None:
            return [(None, {"fields": main})]
        sets = [(None, {"fields": [*main, "client_id", "service_user", "created_at"]})]
        if obj.revoked_at is None:
            sets.append((_("Revoke"), {"fields": ["revoke_with_reason"]}))
        else:
            sets.append((_("Revoked"), {"fields": ["revoked_at", "revocation_reason"]}))
        return sets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fixed = ["name", "kind", "state"] if obj is not None else []
        return [*fixed, *self.readonly_fields]

    # Shown as text to a reader who may only view partners (the form has no fields then).
    @admin.display(description=_("Scopes"))
    def scope_list(self, partner: Partner) -> str:
        return ", ".join(sorted(partner.scope_set)) or "—"

    @admin.display(description=_("Revoke with reason"))
    def revoke_with_reason(self, partner: Partner) -> str:
        return ""

    @admin.display(description=_("client id"))
    def client_id(self, partner: Partner) -> str:
        return partner.application.client_id if partner.pk else "—"

    @admin.display(description=_("active"), boolean=True)
    def active(self, partner: Partner) -> bool:
        return partner.is_active

    def save_model(self, request: HttpRequest, obj: Partner, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            if data.get("revoke_with_reason"):
                services.partner_revoke(
                    acting_user=request.user, partner=obj, reason=data["revoke_with_reason"]
                )
            elif "default_level" in form.changed_data:
                services.partner_level_set(
                    acting_user=request.user, partner=obj, default_level=data["default_level"]
                )
            obj.refresh_from_db()
            return
        partner, secret = services.partner_create(
            acting_user=request.user,
            name=data["name"],
            kind=data["kind"],
            state=data.get("state"),
            default_level=data["default_level"],
            scopes=data["scope_list"],
        )
        obj.pk = partner.pk
        obj.refresh_from_db()
        messages.warning(
            request,
            gettext(
                "Client id: %(client_id)s — client secret: %(secret)s — "
                "copy the secret now: it is stored hashed and will not be shown again."
            )
            % {"client_id": partner.application.client_id, "secret": secret},
        )


class CaseShareForm(forms.ModelForm):
    void_with_reason = forms.CharField(
        label=_("Void with reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = CaseShare
        fields = ["partner", "captive", "level", "reason"]


@admin.register(CaseShare)
class CaseShareAdmin(PermanentAdmin):
    form = CaseShareForm
    list_display = ["captive", "partner", "level", "granted_by", "granted_at", "voided_at"]
    list_select_related = ["captive", "partner", "granted_by"]
    list_filter = ["level", "partner", ("voided_at", admin.EmptyFieldListFilter)]
    search_fields = ["captive__case_number", "partner__name", "reason"]
    autocomplete_fields = ["captive", "partner"]
    readonly_fields = ["granted_by", "granted_at", "voided_at", "void_reason"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fixed = ["partner", "captive", "level", "reason"] if obj is not None else []
        return [*fixed, *self.readonly_fields]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        main = ["partner", "captive", "level", "reason"]
        if obj is None:
            return [(None, {"fields": main})]
        extra = [] if obj.voided_at else ["void_with_reason"]
        return [(None, {"fields": [*main, *self.readonly_fields, *extra]})]

    def save_model(self, request: HttpRequest, obj: CaseShare, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            if data.get("void_with_reason"):
                services.case_share_void(
                    acting_user=request.user, share=obj, reason=data["void_with_reason"]
                )
            return
        share = services.case_share_grant(
            acting_user=request.user,
            partner=data["partner"],
            captive=data["captive"],
            level=data["level"],
            reason=data["reason"],
        )
        obj.pk = share.pk
        obj.refresh_from_db()


@admin.register(DisclosureRecord)
class DisclosureRecordAdmin(RecordsAdmin):
    """The ledger: every read of a captive by a partner. Nobody edits or deletes it. Reports
    adds the list's Export button (reports.admin.parts)."""

    change_list_template = CHANGE_LIST_WITH_PARTS

    # A captive's page links to his reads in the ledger.
    extra_lookups = ("captive__id__exact",)
    list_display = ["read_at", "partner", "captive", "level", "method", "path"]
    list_select_related = ["partner", "captive"]
    list_filter = ["partner", "level"]
    search_fields = ["captive__case_number", "partner__name"]
    date_hierarchy = "read_at"
