"""REST API v1. Public endpoints live with their apps; this module only collects them."""

from django.urls import path

from complaints import api as complaint_api

urlpatterns = [
    path("reports/", complaint_api.ReportCreateApi.as_view(), name="api-report-create"),
    path(
        "reports/<str:tracking>/",
        complaint_api.ReportStatusApi.as_view(),
        name="api-report-status",
    ),
]
