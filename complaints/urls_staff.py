from django.urls import path

from . import (
    converters,  # noqa: F401  (registers <tracking:...>)
    staff_views,
)

triage_patterns = (
    [
        path("", staff_views.triage_queue, name="queue"),
        path("berikutnya/", staff_views.triage_next, name="next"),
        path("massal/", staff_views.bulk_act, {"where": "triage"}, name="bulk"),
        path("laporan/<tracking:tracking>/", staff_views.triage_detail, name="detail"),
        path("laporan/<tracking:tracking>/aksi/", staff_views.act, name="act"),
        path("laporan/<tracking:tracking>/gabung/", staff_views.merge_confirm, name="merge"),
    ],
    "triage",
)

workspace_patterns = (
    [
        path("", staff_views.inbox, name="inbox"),
        path("massal/", staff_views.bulk_act, {"where": "workspace"}, name="bulk"),
        path("instansi/", staff_views.agency_search, name="agency-search"),
        path("ekspor.csv", staff_views.inbox_export, name="export"),
        path("ekspor.xlsx", staff_views.inbox_export_xlsx, name="export-xlsx"),
        path("ekspor/<uuid:key>/", staff_views.export_status, name="export-job"),
        path("ekspor/<uuid:key>/unduh/", staff_views.export_download, name="export-download"),
        path("templat/", staff_views.answer_templates, name="templates"),
        path("laporan/<tracking:tracking>/", staff_views.workspace_detail, name="detail"),
        path("laporan/<tracking:tracking>/aksi/", staff_views.act, name="act"),
    ],
    "workspace",
)
