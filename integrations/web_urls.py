"""The agency admin's integration pages, included at /kerja/integrasi/."""

from django.urls import path

from . import web_views

app_name = "integrations"

urlpatterns = [
    path("", web_views.index, name="index"),
    path("kunci/<int:pk>/", web_views.key_calls, name="key-calls"),
    path("kunci/<int:pk>/cabut/", web_views.key_revoke, name="key-revoke"),
    path("webhook/<int:pk>/", web_views.endpoint_log, name="endpoint"),
    path("webhook/<int:pk>/aktif/", web_views.endpoint_toggle, name="endpoint-toggle"),
    path("pengiriman/<int:pk>/ulang/", web_views.delivery_replay, name="replay"),
]
