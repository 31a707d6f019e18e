"""/api/v1/: every resource of the partner API."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from partners.api import captives, diplomacy
from reports.api.export_jobs import CaptiveExportJobViewSet, ExportJobViewSet
from reports.api.exports import CaptiveExportViewSet
from reports.api.statistics import StatisticsView
from webhooks.api import WebhookEndpointViewSet

router = DefaultRouter()
router.register("captives", captives.CaptiveViewSet, basename="captive")
router.register("states", diplomacy.StateViewSet, basename="state")
router.register(
    "exchange-proposals", diplomacy.ExchangeProposalViewSet, basename="exchange-proposal"
)
router.register(
    "diplomatic-contacts", diplomacy.DiplomaticContactViewSet, basename="diplomatic-contact"
)
router.register("transfer-requests", diplomacy.TransferRequestViewSet, basename="transfer-request")
router.register("exports", ExportJobViewSet, basename="export-job")
router.register("webhooks", WebhookEndpointViewSet, basename="webhook-endpoint")

# /captives/export/: the captive list as a file, served by reports.
export_routes = DefaultRouter()
export_routes.include_root_view = False
export_routes.register("captives", CaptiveExportViewSet, basename="captive")
# /captives/exports/: the same export as a job (reports.api.export_jobs).
export_routes.register("captives", CaptiveExportJobViewSet, basename="captive-export-job")

captive_routes = DefaultRouter(trailing_slash=True)
captive_routes.include_root_view = False
captive_routes.register("events", captives.CustodyEventViewSet, basename="captive-event")
captive_routes.register("wishes", captives.WishStatementViewSet, basename="captive-wish")
captive_routes.register("involvements", captives.InvolvementViewSet, basename="captive-involvement")
captive_routes.register("media", captives.MediaViewSet, basename="captive-media")
captive_routes.register("obligations", captives.ObligationViewSet, basename="captive-obligation")
captive_routes.register("history", captives.HistoryViewSet, basename="captive-history")

urlpatterns = [
    path("", include(router.urls)),
    path("", include(export_routes.urls)),
    path("statistics/", StatisticsView.as_view(), name="statistics"),
    path("captives/<int:captive_pk>/", include(captive_routes.urls)),
]
