from django.urls import path

from . import manage_views

app_name = "manage"

urlpatterns = [
    path("", manage_views.manage, name="home"),
    path("peran/<int:pk>/cabut/", manage_views.revoke, name="revoke"),
]
