"""REST API v1, all of it, included once at /api/v1/: the public part (filing, tracking,
reference data, indicators), the agency scope (API key) and the SMS gateway."""

from django.urls import path

from complaints import converters  # noqa: F401  (registers <tracking:...>)
from core import replica

from . import api_agency, api_federation, api_public, api_routing, api_sms, api_sync, opendata

# replica.reads: public aggregates and open data may come from the standby (core/replica.py).
urlpatterns = [
    path("reports/", api_public.ReportCreateApi.as_view(), name="api-report-create"),
    path(
        "reports/<tracking:tracking_number>/",
        api_public.ReportStatusApi.as_view(),
        name="api-report-status",
    ),
    path("regions/provinces/", api_public.ProvinceListApi.as_view(), name="api-provinces"),
    path("regions/regencies/", api_public.RegencyListApi.as_view(), name="api-regencies"),
    path("agencies/", api_public.AgencyListApi.as_view(), name="api-agencies"),
    path("categories/", api_public.CategoryListApi.as_view(), name="api-categories"),
    path(
        "indicators/provinces/",
        replica.reads(api_public.ProvinceIndicatorsApi.as_view()),
        name="api-province-indicators",
    ),
    path("agency/", api_agency.AgencyMeApi.as_view(), name="api-agency-me"),
    path("agency/reports/", api_agency.AgencyReportListApi.as_view(), name="api-agency-reports"),
    path(
        "agency/reports/<tracking:tracking_number>/",
        api_agency.AgencyReportDetailApi.as_view(),
        name="api-agency-report",
    ),
    path(
        "agency/reports/<tracking:tracking_number>/actions/",
        api_agency.AgencyReportActionApi.as_view(),
        name="api-agency-report-action",
    ),
    path("agency/events/", api_agency.AgencyEventListApi.as_view(), name="api-agency-events"),
    path("sms/inbound/", api_sms.SmsInboundApi.as_view(), name="api-sms-inbound"),
    path(
        "federation/inbound/",
        api_federation.FederationInboundApi.as_view(),
        name="api-federation-inbound",
    ),
    # Two-way sync with a regional system (integrations/api_sync.py).
    path("agency/filings/", api_sync.ExternalFilingApi.as_view(), name="api-agency-filing"),
    path(
        "agency/external/<str:external_id>/",
        api_sync.ExternalReportApi.as_view(),
        name="api-agency-external",
    ),
    path(
        "agency/reports/<tracking:tracking_number>/external-id/",
        api_sync.ExternalIdLinkApi.as_view(),
        name="api-agency-report-external-id",
    ),
    path(
        "agency/reports/<tracking:tracking_number>/files/",
        api_sync.ReportFilesApi.as_view(),
        name="api-agency-report-files",
    ),
    path(
        "agency/reports/<tracking:tracking_number>/files/<str:file_id>/",
        api_sync.ReportFileApi.as_view(),
        name="api-agency-report-file",
    ),
    path(
        "agency/reports/<tracking:tracking_number>/citizen/",
        api_sync.CitizenActionApi.as_view(),
        name="api-agency-report-citizen",
    ),
    path(
        "agency/reports/<tracking:tracking_number>/status/",
        api_sync.StatusWordApi.as_view(),
        name="api-agency-report-status-word",
    ),
    path("agency/verification/", api_sync.AddressedListApi.as_view(), name="api-agency-addressed"),
    path(
        "agency/reports/<tracking:tracking_number>/verify/",
        api_sync.AgencyVerifyApi.as_view(),
        name="api-agency-report-verify",
    ),
    # Open data (integrations/opendata.py), public.
    path(
        "opendata/reports/",
        replica.reads(opendata.OpenReportListApi.as_view()),
        name="api-opendata-reports",
    ),
    path(
        "opendata/daily/<str:day>/",
        replica.reads(opendata.OpenDailyApi.as_view()),
        name="api-opendata-daily",
    ),
    path("agency/import/", api_sync.ImportApi.as_view(), name="api-agency-import"),
    path("agency/status-map/", api_sync.StatusMapApi.as_view(), name="api-agency-status-map"),
    path("routing/preview", api_routing.RoutingPreviewApi.as_view(), name="api-routing-preview"),
]
