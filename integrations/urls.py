"""REST API v1 beyond filing and tracking: reference data, indicators, the agency scope (API
key), the SMS gateway. Included at /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("regions/provinces/", api.ProvinceListApi.as_view(), name="api-provinces"),
    path("regions/regencies/", api.RegencyListApi.as_view(), name="api-regencies"),
    path("agencies/", api.AgencyListApi.as_view(), name="api-agencies"),
    path("categories/", api.CategoryListApi.as_view(), name="api-categories"),
    path(
        "indicators/provinces/",
        api.ProvinceIndicatorsApi.as_view(),
        name="api-province-indicators",
    ),
    path("agency/", api.AgencyMeApi.as_view(), name="api-agency-me"),
    path("agency/reports/", api.AgencyReportListApi.as_view(), name="api-agency-reports"),
    path(
        "agency/reports/<str:tracking_number>/",
        api.AgencyReportDetailApi.as_view(),
        name="api-agency-report",
    ),
    path(
        "agency/reports/<str:tracking_number>/actions/",
        api.AgencyReportActionApi.as_view(),
        name="api-agency-report-action",
    ),
    path("agency/events/", api.AgencyEventListApi.as_view(), name="api-agency-events"),
    path("sms/inbound/", api.SmsInboundApi.as_view(), name="api-sms-inbound"),
]
