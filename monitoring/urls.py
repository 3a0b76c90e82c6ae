from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.national, name="national"),
    path("provinsi/<str:code>/", views.province, name="province"),
    path("instansi/<int:pk>/", views.agency, name="agency"),
    path("peringkat/", views.rankings, name="rankings"),
    path("laporan/", views.reports, name="reports"),
    path("instansi/<int:pk>/sk/", views.appointment_add, name="appointment-add"),
    path("instansi/<int:pk>/kerja/", views.agency_work, name="agency-work"),
    path("sk/<int:pk>/berkas/", views.appointment_file, name="appointment-file"),
    path("peringatan/", views.early_warnings, name="warnings"),
]
