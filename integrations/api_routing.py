"""POST /api/v1/routing/preview: where a report would go and why, before it is filed (the same
answer as the report form's preview). Public, rate-limited per address, writes nothing.

"similar" lists public open reports of the regency only (complaints.duplicates.similar_reports
with ``public_only``): a confidential report, or one not yet verified, never appears."""

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import Throttled
from rest_framework.response import Response

from agencies import regions
from complaints.duplicates import similar_reports
from complaints.models import Kind
from core import ratelimit
from routing.models import Category, Matter
from routing.preview import routing_preview
from routing.understand import UNKNOWN

from .api_common import RegionCodeField, errors
from .auth import LaporApiView
from .parsers import BoundedJSONParser


class ScoredCategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    score = serializers.FloatField(allow_null=True)


class MatterRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ChoiceSerializer(serializers.Serializer):
    matter = serializers.CharField(help_text=f'A matter code, or "{UNKNOWN}".')
    label = serializers.CharField()


class QuestionSerializer(serializers.Serializer):
    text = serializers.CharField()
    choices = ChoiceSerializer(many=True)


class AgencyPathSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    path = serializers.ListField(child=serializers.CharField())


class RuleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    legal_basis = serializers.CharField()


class SimilarSerializer(serializers.Serializer):
    tracking_number = serializers.CharField()
    title = serializers.CharField()
    score = serializers.FloatField()


class RoutingPreviewApi(LaporApiView):
    """Where a report with this text and place would be sent, and why."""

    parser_classes = [BoundedJSONParser]

    class InputSerializer(serializers.Serializer):
        title = serializers.CharField(max_length=200, allow_blank=True)
        description = serializers.CharField(max_length=10000, allow_blank=True)
        kind = serializers.ChoiceField(choices=Kind.choices)
        province = RegionCodeField(kind="province", max_length=2)
        regency = RegionCodeField(kind="regency", max_length=4, required=False, allow_null=True)
        category = serializers.SlugRelatedField(
            slug_field="code",
            queryset=Category.objects.filter(is_active=True),
            required=False,
            allow_null=True,
        )
        matter = serializers.CharField(
            max_length=60,
            required=False,
            allow_null=True,
            allow_blank=True,
            help_text=f'A matter code, or "{UNKNOWN}" for the citizen\'s "tidak tahu".',
        )

        def validate_matter(self, value):
            if not value:
                return None
            if value != UNKNOWN and not Matter.objects.filter(code=value, is_active=True).exists():
                raise serializers.ValidationError(_("Urusan ini tidak dikenal."))
            return value

        def validate(self, attrs):
            regency = attrs.get("regency")
            if regency and regions.regencies()[regency][0] != attrs["province"]:
                raise serializers.ValidationError(
                    {"regency": [_("Kabupaten/kota ini tidak berada di provinsi itu.")]}
                )
            if len((attrs["title"] + attrs["description"]).strip()) < 8:
                raise serializers.ValidationError(
                    {"description": [_("Tulis judul atau isi laporan lebih dulu.")]}
                )
            return attrs

    class OutputSerializer(serializers.Serializer):
        category = ScoredCategorySerializer(allow_null=True)
        categories = ScoredCategorySerializer(many=True)
        matter = MatterRefSerializer(allow_null=True)
        question = QuestionSerializer(allow_null=True)
        agency = AgencyPathSerializer(allow_null=True)
        rule = RuleSerializer(allow_null=True)
        explanation = serializers.CharField()
        similar = SimilarSerializer(many=True)

    @extend_schema(
        request=InputSerializer,
        responses={200: OutputSerializer, **errors(400, 401, 429)},
        summary="Routing preview: where a report would go, and why",
    )
    def post(self, request):
        allowed, retry_after = ratelimit.hit(request, "preview")
        if not allowed:
            raise Throttled(wait=retry_after)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        preview = routing_preview(
            title=d["title"],
            description=d["description"],
            kind=d["kind"],
            province=d["province"],
            regency=d.get("regency"),
            category=d["category"].code if d.get("category") else None,
            matter=d.get("matter"),
        )
        category = preview.reading.category
        similar = similar_reports(
            text=f"{d['title']}\n{d['description']}",
            regency=d.get("regency"),
            category=category.code if category else None,
            public_only=True,
            limit=3,
        )
        return Response(self.OutputSerializer(body(preview, similar)).data)


def body(preview, similar) -> dict:
    """The answer's fields, from a routing.preview.Preview and the similar public reports."""
    reading, agency = preview.reading, preview.agency
    names = dict(
        Category.objects.filter(code__in=[c for c, _ in reading.categories]).values_list(
            "code", "name_id" if _language_is_id() else "name_en"
        )
    )
    question = reading.question
    return {
        "category": {
            "code": reading.category.code,
            "name": reading.category.name,
            "score": reading.score,
        }
        if reading.category
        else None,
        "categories": [
            {"code": code, "name": names.get(code, code), "score": score}
            for code, score in reading.categories
        ],
        "matter": {"code": reading.matter.code, "name": reading.matter.name}
        if reading.matter
        else None,
        "question": {
            "text": str(question.text),
            "choices": [{"matter": code, "label": str(label)} for code, label in question.choices],
        }
        if question
        else None,
        "agency": {"slug": agency.slug, "name": agency.name, "path": preview.path}
        if agency
        else None,
        "rule": {"id": preview.decision.rule_id, "legal_basis": preview.decision.legal_basis}
        if preview.decision.rule_id
        else None,
        "explanation": preview.explanation,
        "similar": [
            {"tracking_number": r.tracking, "title": r.title, "score": round(score, 3)}
            for r, score in similar
        ],
    }


def _language_is_id() -> bool:
    return not (get_language() or "id").startswith("en")
