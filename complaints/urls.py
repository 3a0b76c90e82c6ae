from django.urls import path

from . import (
    converters,  # noqa: F401  (registers <tracking:...>)
    views,
)

app_name = "complaints"

urlpatterns = [
    path("lapor/", views.report_create, name="report-create"),
    path("lapor/bantuan/", views.report_assist, name="report-assist"),
    path("lapor/tujuan/", views.report_route, name="report-route"),
    path("lapor/wilayah/", views.regency_options, name="regency-options"),
    path("lapor/terkirim/<tracking:tracking>/", views.report_created, name="report-created"),
    path("lacak/", views.track, name="track"),
    path("lacak/<tracking:tracking>/", views.track_detail, name="track-detail"),
    path("lacak/<tracking:tracking>/kunci-baru/", views.track_new_key, name="track-new-key"),
    path("lacak/<tracking:tracking>/beres/<int:pk>/", views.followup, name="followup"),
    path("laporan/", views.public_list, name="public-list"),
    path("laporan/peta/", views.public_map, name="public-map"),
    path("laporan/peta/titik/", views.public_map_points, name="public-map-points"),
    path("laporan/<tracking:tracking>/", views.public_detail, name="public-detail"),
    path("laporan/<tracking:tracking>/dukung/", views.support, name="support"),
    path("laporan/<tracking:tracking>/foto/<int:pk>/", views.public_photo, name="public-photo"),
    path("lampiran/<int:pk>/", views.attachment_download, name="attachment"),
    path("akun/laporan-saya/", views.my_reports, name="my-reports"),
]
