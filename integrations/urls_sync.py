"""REST API v1 for two-way sync with a regional system (integrations/api_sync.py) and open
data (integrations/opendata.py). Included at /api/v1/."""

from django.urls import path

from . import api_sync

urlpatterns = [
    path("agency/filings/", api_sync.ExternalFilingApi.as_view(), name="api-agency-filing"),
    path(
        "agency/external/<str:external_id>/",
        api_sync.ExternalReportApi.as_view(),
        name="api-agency-external",
    ),
    path(
        "agency/reports/<str:tracking_number>/external-id/",
        api_sync.ExternalIdLinkApi.as_view(),
        name="api-agency-report-external-id",
    ),
    path(
        "agency/reports/<str:tracking_number>/files/",
        api_sync.ReportFilesApi.as_view(),
        name="api-agency-report-files",
    ),
    path(
        "agency/reports/<str:tracking_number>/files/<str:file_id>/",
        api_sync.ReportFileApi.as_view(),
        name="api-agency-report-file",
    ),
    path(
        "agency/reports/<str:tracking_number>/citizen/",
        api_sync.CitizenActionApi.as_view(),
        name="api-agency-report-citizen",
    ),
    path(
        "agency/reports/<str:tracking_number>/status/",
        api_sync.StatusWordApi.as_view(),
        name="api-agency-report-status-word",
    ),
    path("agency/status-map/", api_sync.StatusMapApi.as_view(), name="api-agency-status-map"),
]
