"""Read-only public REST API of the procedure catalogue (mounted at /api/catalog/).

Public (AllowAny) and throttled per client: ``settings.CATALOG_API_THROTTLE_RATE`` (default
"120/min"; None switches throttling off, e.g. for a benchmark).
"""

from django.conf import settings
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.throttling import SimpleRateThrottle

from core.pagination import LimitOffsetPagination
from core.ratelimit import FailOpenMixin
from directory.choices import Role

from . import selectors
from .choices import ApplicantKind, CompetentAgencyRule, FeeKind, Level, OnlineMode, TimeUnit, VersionStatus
from .models import DossierComponent, Fee, Field, ProcedureVersion, ProcessStep


class CatalogThrottle(FailOpenMixin, SimpleRateThrottle):
    scope = "catalog"

    def get_rate(self):
        return getattr(settings, "CATALOG_API_THROTTLE_RATE", "120/min")

    def get_cache_key(self, request, view):
        ident = request.user.pk if request.user and request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class CatalogPagination(LimitOffsetPagination):
    default_limit = 20
    max_limit = 100


class PublicCatalogMixin:
    permission_classes = [AllowAny]
    throttle_classes = [CatalogThrottle]


# --------------------------------------------------------------------------- serializers


def choice_field(choices_cls, **kwargs) -> serializers.ChoiceField:
    """A read-only choice field documented with an inline enum, so its OpenAPI name never collides
    with another app's field of the same name (e.g. "kind", "level", "role")."""
    schema = {
        "type": "string",
        "enum": list(choices_cls.values),
        "description": "; ".join(f"{value}: {label}" for value, label in choices_cls.choices),
    }
    field_class = extend_schema_field(schema)(type(f"{choices_cls.__name__}Field", (serializers.ChoiceField,), {}))
    return field_class(choices=choices_cls.choices, read_only=True, **kwargs)


class FieldSerializer(serializers.ModelSerializer):
    procedures = serializers.IntegerField(source="n", read_only=True, help_text="Số thủ tục đang áp dụng.")

    class Meta:
        model = Field
        fields = ["code", "name", "procedures"]


class FieldRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class AgencyRefSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Mã định danh QCVN 102.")
    name = serializers.CharField()


class ProcedureListSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="procedure.code", help_text="Mã thủ tục (CSDL quốc gia).")
    version = serializers.IntegerField(source="number")
    field = FieldRefSerializer(source="procedure.field")
    competent_agencies = AgencyRefSerializer(many=True)
    url = serializers.SerializerMethodField()

    level = choice_field(Level)
    applicant_kind = choice_field(ApplicantKind)
    online_mode = choice_field(OnlineMode)
    time_unit = choice_field(TimeUnit)
    same_day_cutoff = serializers.TimeField(
        format="%H:%M",
        read_only=True,
        help_text="Với time_unit same_working_day: hồ sơ nhận sau giờ này trả trong ngày làm việc tiếp theo.",
    )
    time_limit = serializers.CharField(
        source="time_limit_text", read_only=True, help_text="Thời hạn giải quyết bằng lời, như trên trang thủ tục."
    )

    class Meta:
        model = ProcedureVersion
        fields = [
            "code",
            "name",
            "version",
            "field",
            "level",
            "applicant_kind",
            "online_mode",
            "processing_time",
            "time_unit",
            "same_day_cutoff",
            "time_limit",
            "competent_agencies",
            "url",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj) -> str:
        path = reverse("catalog_api:procedure-detail", args=[obj.procedure.code])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ComponentSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(
        read_only=True,
        help_text="Mã thành phần hồ sơ: giá trị của `file_components` (và khóa của `reuse`) khi nộp hồ sơ "
        "qua /api/dossiers/mine/ hoặc /api/dossiers/counter/.",
    )
    template_url = serializers.SerializerMethodField()

    class Meta:
        model = DossierComponent
        fields = [
            "id",
            "order",
            "name",
            "required",
            "originals",
            "copies",
            "electronic_copy_accepted",
            "template_name",
            "template_url",
        ]

    @extend_schema_field({"type": "string", "format": "uri-reference", "nullable": True})
    def get_template_url(self, obj) -> str | None:
        return obj.template.url if obj.template else None


class FeeSerializer(serializers.ModelSerializer):
    kind = choice_field(FeeKind)

    class Meta:
        model = Fee
        fields = ["kind", "name", "amount", "note"]


class StepSerializer(serializers.ModelSerializer):
    agency = AgencyRefSerializer(allow_null=True)
    role = choice_field(Role)

    class Meta:
        model = ProcessStep
        fields = ["order", "name", "role", "agency", "unit_name", "budget"]


class ProcedureDetailSerializer(ProcedureListSerializer):
    version_id = serializers.IntegerField(
        source="pk",
        read_only=True,
        help_text="Mã của phiên bản này: giá trị `procedure_version` khi nộp hồ sơ qua /api/dossiers/mine/ "
        "(chỉ phiên bản đang áp dụng nhận hồ sơ).",
    )
    receiving_agencies = AgencyRefSerializer(many=True)
    components = ComponentSerializer(many=True)
    fees = FeeSerializer(many=True)
    steps = StepSerializer(many=True)
    status = choice_field(VersionStatus)
    competent_agency_rule = choice_field(CompetentAgencyRule)
    form_schema = serializers.JSONField(help_text="Biểu mẫu trực tuyến: tập con JSON Schema (catalog.formschema).")

    class Meta(ProcedureListSerializer.Meta):
        fields = [
            *ProcedureListSerializer.Meta.fields,
            "version_id",
            "status",
            "valid_from",
            "valid_to",
            "description",
            "requirements",
            "receiving_agencies",
            "competent_agency_rule",
            "result_name",
            "legal_basis",
            "form_schema",
            "components",
            "fees",
            "steps",
        ]


_CHOICE_ERRORS = {"invalid_choice": "“{input}” không phải giá trị hợp lệ."}


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Từ khóa, không cần dấu: “dang ky khai sinh”."
    )
    field = serializers.CharField(required=False, allow_blank=True, help_text="Mã lĩnh vực.")
    agency = serializers.CharField(required=False, allow_blank=True, help_text="Mã cơ quan (QCVN 102).")
    level = serializers.ChoiceField(
        choices=Level.choices, required=False, allow_blank=True, error_messages=_CHOICE_ERRORS
    )
    online_mode = serializers.ChoiceField(
        choices=OnlineMode.choices, required=False, allow_blank=True, error_messages=_CHOICE_ERRORS
    )
    applicant = serializers.ChoiceField(
        choices=[ApplicantKind.CITIZEN, ApplicantKind.BUSINESS],
        required=False,
        allow_blank=True,
        error_messages=_CHOICE_ERRORS,
    )


# --------------------------------------------------------------------------- views


@extend_schema(
    tags=["catalog"],
    parameters=[SearchQuerySerializer],
    summary="Tìm thủ tục (không dấu, mọi từ phải khớp; xếp hạng theo mã, tên)",
)
class ProcedureListView(PublicCatalogMixin, generics.ListAPIView):
    serializer_class = ProcedureListSerializer
    pagination_class = CatalogPagination
    # Results come from selectors.procedure_search_entries: the summaries kept by catalog.search_index,
    # built to ProcedureListSerializer's shape (test_api checks the two agree).
    queryset = ProcedureVersion.objects.none()

    def list(self, request, *args, **kwargs):
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        filters = selectors.SearchFilters(**{k: v or "" for k, v in params.validated_data.items()})
        paginator = self.paginator
        paginator.request = request
        paginator.limit = paginator.get_limit(request)
        paginator.offset = paginator.get_offset(request)
        paginator.count, entries = selectors.procedure_search_entries(filters, paginator.offset, paginator.limit)
        base = request.build_absolute_uri(reverse("catalog_api:procedure-list"))
        return paginator.get_paginated_response([{**e.row, "url": f"{base}{e.row['code']}/"} for e in entries])


@extend_schema(
    tags=["catalog"],
    summary="Chi tiết thủ tục (phiên bản đang áp dụng hoặc ?version=)",
    parameters=[
        OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Mã thủ tục."),
        OpenApiParameter(
            "version",
            OpenApiTypes.INT,
            OpenApiParameter.QUERY,
            description="Số phiên bản (mặc định: phiên bản đang áp dụng).",
        ),
    ],
)
class ProcedureDetailView(PublicCatalogMixin, generics.RetrieveAPIView):
    serializer_class = ProcedureDetailSerializer
    queryset = ProcedureVersion.objects.none()

    def get_object(self):
        return selectors.version_for(self.request.user, self.kwargs["code"], self.request.query_params.get("version"))


@extend_schema(tags=["catalog"], summary="Lĩnh vực có thủ tục đang áp dụng")
class FieldListView(PublicCatalogMixin, generics.ListAPIView):
    serializer_class = FieldSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.fields_with_counts()
