"""Open311 GeoReport v2 (built in the integration issue)."""

urlpatterns: list = []
