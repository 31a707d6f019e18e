"""/api/v1/: every resource of the partner API."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from cases.api import views as cases
from diplomacy.api import views as diplomacy
from reports.api.statistics import StatisticsView

router = DefaultRouter()
router.register("captives", cases.CaptiveViewSet, basename="captive")
router.register("states", diplomacy.StateViewSet, basename="state")
router.register(
    "exchange-proposals", diplomacy.ExchangeProposalViewSet, basename="exchange-proposal"
)
router.register(
    "diplomatic-contacts", diplomacy.DiplomaticContactViewSet, basename="diplomatic-contact"
)
router.register("transfer-requests", diplomacy.TransferRequestViewSet, basename="transfer-request")

captive_routes = DefaultRouter(trailing_slash=True)
captive_routes.include_root_view = False
captive_routes.register("events", cases.CustodyEventViewSet, basename="captive-event")
captive_routes.register("wishes", cases.WishStatementViewSet, basename="captive-wish")
captive_routes.register("involvements", cases.InvolvementViewSet, basename="captive-involvement")
captive_routes.register("media", cases.MediaViewSet, basename="captive-media")
captive_routes.register("obligations", cases.ObligationViewSet, basename="captive-obligation")
captive_routes.register("history", cases.HistoryViewSet, basename="captive-history")

urlpatterns = [
    path("", include(router.urls)),
    path("statistics/", StatisticsView.as_view(), name="statistics"),
    path("captives/<int:captive_pk>/", include(captive_routes.urls)),
]
