"""Root URL configuration: the caseworkers' admin, the partner API and its documentation."""

from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from partners.signin import RevokeTokenView, TokenView
from powtracker.docs import redoc_bundle_view
from reports.admin.documents import document_print_view
from reports.views import statistics_view

admin.site.site_header = _("powtracker — prisoner of war case register")
admin.site.site_title = "powtracker"
admin.site.index_title = _("Cases and diplomacy")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    # The load balancer's probes, /healthz and /readyz (answered first of all by
    # powtracker.health.ProbeMiddleware: no Host check, no HTTPS redirect, no sign-in).
    path("", include("powtracker.health")),
    # Before the admin's own URLs: its final catch-all view would answer 404 for it.
    path(
        "admin/statistics/",
        admin.site.admin_view(statistics_view),
        name="reports-statistics",
    ),
    path(
        "admin/documents/print/",
        admin.site.admin_view(document_print_view),
        name="reports-document-print",
    ),
    # States and involvements were the diplomacy app's: their old admin addresses still lead there.
    re_path(
        r"^admin/diplomacy/state/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/states/state/%(rest)s", query_string=True),
    ),
    re_path(
        r"^admin/diplomacy/involvement/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/cases/involvement/%(rest)s", query_string=True),
    ),
    path("admin/", admin.site.urls),
    # The admin's language menu posts here (django.views.i18n.set_language): a cookie, then back.
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("powtracker.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("api/redoc/redoc.standalone.js", redoc_bundle_view, name="api-redoc-bundle"),
    # Partners use the client-credentials grant only: the token and revocation endpoints.
    # Both are under the same sign-in lockout as the admin (partners.signin).
    path("o/token/", TokenView.as_view(), name="oauth2-token"),
    path("o/revoke_token/", RevokeTokenView.as_view(), name="oauth2-revoke"),
]

handler404 = "powtracker.api.errors.handler404"
handler500 = "powtracker.api.errors.handler500"
