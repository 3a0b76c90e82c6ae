from django.urls import include, path
from rest_framework import routers, serializers, viewsets

from drfsite.models import Thing


class ThingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Thing
        fields = "__all__"
        read_only_fields = ("status", "created_at")


class ThingViewSet(viewsets.ModelViewSet):
    queryset = Thing.objects.all()
    serializer_class = ThingSerializer


router = routers.DefaultRouter()
router.register("things", ThingViewSet)
urlpatterns = [path("", include(router.urls))]
