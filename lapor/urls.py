from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from complaints import views as complaint_views
from complaints.urls_staff import triage_patterns, workspace_patterns
from monitoring import views as monitoring_views

urlpatterns = [
    path("", complaint_views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("akun/", include("agencies.urls")),
    path("", include("complaints.urls")),
    path("triase/", include(triage_patterns)),
    path("triase/aturan/", include("routing.urls")),
    path("kerja/kelola/", include("agencies.manage_urls")),
    path("kerja/integrasi/", include("integrations.web_urls")),
    path("kerja/", include(workspace_patterns)),
    path("pantau/", include("monitoring.urls")),
    path("statistik/", monitoring_views.public, name="statistik"),
    path("api/v1/", include("integrations.urls")),
    path("open311/v2/", include("integrations.open311_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI from LAPOR's own static files (drf-spectacular-sidecar) with its start-up
    # script served as a file (?script=), not inline: both pass LAPOR's CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", complaint_views.health, name="health"),
    path("favicon.ico", complaint_views.favicon, name="favicon"),
    path("sw.js", complaint_views.service_worker, name="service-worker"),
    path("manifest.webmanifest", complaint_views.web_manifest, name="web-manifest"),
]

# A database outage met outside a view is a 503 too (core.middleware.server_error).
handler500 = "core.middleware.server_error"
