"""Agency-scope API, webhooks admin, SMS inbound (built in the integration issue)."""

urlpatterns: list = []
