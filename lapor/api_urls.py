"""REST API v1, public filing and tracking (the rest of v1 is in integrations/urls.py; both
are included at /api/v1/)."""

from django.urls import path

from integrations import api

urlpatterns = [
    path("reports/", api.ReportCreateApi.as_view(), name="api-report-create"),
    path("reports/<str:tracking_number>/", api.ReportStatusApi.as_view(), name="api-report-status"),
]
