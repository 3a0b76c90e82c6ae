from django.urls import path

from . import staff_views

triage_patterns = (
    [
        path("", staff_views.triage_queue, name="queue"),
        path("berikutnya/", staff_views.triage_next, name="next"),
        path("massal/", staff_views.bulk_act, {"where": "triage"}, name="bulk"),
        path("laporan/<str:tracking>/", staff_views.triage_detail, name="detail"),
        path("laporan/<str:tracking>/aksi/", staff_views.act, name="act"),
        path("laporan/<str:tracking>/gabung/", staff_views.merge_confirm, name="merge"),
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
        path("templat/", staff_views.answer_templates, name="templates"),
        path("laporan/<str:tracking>/", staff_views.workspace_detail, name="detail"),
        path("laporan/<str:tracking>/aksi/", staff_views.act, name="act"),
    ],
    "workspace",
)
