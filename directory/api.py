"""REST API of the directory (to be mounted at /api/directory/ by config/api_urls.py).

Public reads: the agency directory and administrative units (with the mapping of units abolished
on 1/7/2025 to today's units). Account registration (throttled) and "my account" for the
logged-in user. Writes go through the same services as the pages.
"""

from django.conf import settings
from django.db.models import Prefetch, Q
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from core.openapi import API_ERROR
from core.ratelimit import FailOpenMixin
from core.text import fold

from . import selectors, services
from .choices import AccountKind, AgencyKind, Role, UnitLevel
from .models import AdministrativeUnit, Agency, OrgUnit


class DirectoryThrottle(FailOpenMixin, SimpleRateThrottle):
    scope = "directory"

    def get_rate(self):
        return getattr(settings, "DIRECTORY_API_THROTTLE_RATE", "120/min")

    def get_cache_key(self, request, view):
        ident = request.user.pk if request.user and request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class RegistrationThrottle(DirectoryThrottle):
    scope = "directory_registration"

    def get_rate(self):
        return getattr(settings, "REGISTRATION_THROTTLE_RATE", "10/hour")


# --------------------------------------------------------------------------- serializers


def choice_field(choices_cls, **kwargs) -> serializers.ChoiceField:
    """A read-only choice field documented by a pattern and a description instead of an enum: the
    schema generator turns every enum into a component named after the field ("LevelEnum"), and
    "level" / "kind" / "role" already name other apps' choice sets."""
    schema = {
        "type": "string",
        "pattern": "^(" + "|".join(choices_cls.values) + ")$",
        "description": "; ".join(f"{value}: {label}" for value, label in choices_cls.choices),
    }
    field_class = extend_schema_field(schema)(
        type(f"Directory{choices_cls.__name__}Field", (serializers.ChoiceField,), {})
    )
    return field_class(choices=choices_cls.choices, read_only=True, **kwargs)


class UnitRefSerializer(serializers.ModelSerializer):
    level = choice_field(UnitLevel)

    class Meta:
        model = AdministrativeUnit
        fields = ["code", "name", "division_type", "level", "valid_from", "valid_to"]


class UnitSerializer(UnitRefSerializer):
    parent = UnitRefSerializer(read_only=True, allow_null=True)
    successors = UnitRefSerializer(
        many=True, read_only=True, help_text="Đơn vị kế thừa trực tiếp (với đơn vị đã giải thể / sáp nhập)."
    )

    class Meta(UnitRefSerializer.Meta):
        fields = [*UnitRefSerializer.Meta.fields, "parent", "successors"]


class UnitDetailSerializer(UnitSerializer):
    predecessors = UnitRefSerializer(many=True, read_only=True)
    current_successors = serializers.SerializerMethodField(
        help_text="Các đơn vị đang có hiệu lực tương ứng (chính nó nếu còn hiệu lực)."
    )

    class Meta(UnitSerializer.Meta):
        fields = [*UnitSerializer.Meta.fields, "predecessors", "current_successors"]

    @extend_schema_field(UnitRefSerializer(many=True))
    def get_current_successors(self, obj) -> list[dict]:
        return UnitRefSerializer(selectors.current_successors(obj), many=True).data


class OrgUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrgUnit
        fields = ["id", "name", "short_name", "is_one_stop_desk"]


class OfficeHoursSerializer(serializers.Serializer):
    morning_start = serializers.TimeField()
    morning_end = serializers.TimeField()
    afternoon_start = serializers.TimeField()
    afternoon_end = serializers.TimeField()
    saturday_morning = serializers.BooleanField()


class AgencySerializer(serializers.ModelSerializer):
    kind = choice_field(AgencyKind)
    parent_code = serializers.CharField(source="parent.code", default=None, read_only=True)
    administrative_unit = UnitRefSerializer(read_only=True, allow_null=True)
    office_hours = serializers.SerializerMethodField()
    units = OrgUnitSerializer(many=True, read_only=True)

    class Meta:
        model = Agency
        fields = [
            "code",
            "name",
            "short_name",
            "kind",
            "parent_code",
            "administrative_unit",
            "address",
            "phone",
            "email",
            "office_hours",
            "units",
        ]

    @extend_schema_field(OfficeHoursSerializer(allow_null=True))
    def get_office_hours(self, obj) -> dict | None:
        schedule = obj.office_schedule or self.context.get("default_schedule")
        return OfficeHoursSerializer(schedule).data if schedule else None


class PositionSerializer(serializers.Serializer):
    agency_code = serializers.CharField(source="agency.code")
    agency_name = serializers.CharField(source="agency.name")
    unit = serializers.CharField(source="unit.name", default=None)
    role = choice_field(Role)
    title = serializers.CharField()


class AccountSerializer(serializers.Serializer):
    username = serializers.CharField(read_only=True)
    kind = choice_field(AccountKind)
    display_name = serializers.CharField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    organization_name = serializers.CharField(read_only=True)
    cccd = serializers.CharField(read_only=True, allow_null=True)
    tax_code = serializers.CharField(read_only=True, allow_null=True)
    email = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True)
    address = serializers.CharField(read_only=True)
    positions = serializers.SerializerMethodField()

    @extend_schema_field(PositionSerializer(many=True))
    def get_positions(self, obj) -> list[dict]:
        if not obj.is_official:
            return []
        return PositionSerializer(selectors.active_positions(obj), many=True).data


class CitizenRegistrationSerializer(serializers.Serializer):
    cccd = serializers.CharField(max_length=20)
    full_name = serializers.CharField(max_length=200)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class BusinessRegistrationSerializer(serializers.Serializer):
    tax_code = serializers.CharField(max_length=20)
    organization_name = serializers.CharField(max_length=300)
    representative_name = serializers.CharField(max_length=200)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


# --------------------------------------------------------------------------- views


class PublicMixin:
    permission_classes = [AllowAny]
    throttle_classes = [DirectoryThrottle]


@extend_schema(
    tags=["directory"],
    parameters=[
        OpenApiParameter("q", str, description="Tìm theo tên (không cần dấu) hoặc mã cơ quan."),
        OpenApiParameter("kind", str, enum=AgencyKind.values),
        OpenApiParameter("parent", str, description="Mã cơ quan cấp trên."),
    ],
)
class AgencyListView(PublicMixin, generics.ListAPIView):
    """Danh bạ cơ quan: mã định danh (QCVN 102), địa chỉ, giờ làm việc, đơn vị trực thuộc."""

    serializer_class = AgencySerializer

    def get_queryset(self):
        qs = _agencies()
        params = self.request.query_params
        for term in fold(params.get("q", "")).split():
            qs = qs.filter(Q(name_folded__contains=term) | Q(code__icontains=term))
        if params.get("kind"):
            qs = qs.filter(kind=params["kind"])
        if params.get("parent"):
            qs = qs.filter(parent__code=params["parent"].upper())
        return qs

    def get_serializer_context(self):
        return _with_default_schedule(super().get_serializer_context())


@extend_schema(tags=["directory"])
class AgencyDetailView(PublicMixin, generics.RetrieveAPIView):
    """One agency by its code."""

    serializer_class = AgencySerializer
    lookup_field = "code"

    def get_queryset(self):
        return _agencies()

    def get_serializer_context(self):
        return _with_default_schedule(super().get_serializer_context())


def _agencies():
    return (
        Agency.objects.filter(is_active=True)
        .select_related("parent", "administrative_unit", "office_schedule")
        .prefetch_related(Prefetch("units", queryset=OrgUnit.objects.order_by("-is_one_stop_desk", "name")))
        .order_by("code")
    )


def _with_default_schedule(context: dict) -> dict:
    from core.models import OfficeSchedule

    context["default_schedule"] = OfficeSchedule.objects.filter(is_default=True).first()
    return context


@extend_schema(
    tags=["directory"],
    parameters=[
        OpenApiParameter("q", str, description="Tên (không cần dấu) hoặc đầu mã."),
        OpenApiParameter("level", str, enum=UnitLevel.values),
        OpenApiParameter("province", str, description="Mã tỉnh, ví dụ 44."),
        OpenApiParameter("historic", bool, description="Gồm cả đơn vị đã giải thể / sáp nhập (trước 1/7/2025)."),
    ],
)
class UnitListView(PublicMixin, generics.ListAPIView):
    """Đơn vị hành chính (tỉnh; xã, phường, đặc khu), kèm đơn vị kế thừa."""

    serializer_class = UnitSerializer

    def get_queryset(self):
        params = self.request.query_params
        return selectors.unit_search(
            params.get("q", ""),
            level=params.get("level") or None,
            province_code=params.get("province") or None,
            include_historic=params.get("historic") in ("1", "true", "yes"),
        )


@extend_schema(tags=["directory"])
class UnitDetailView(PublicMixin, generics.RetrieveAPIView):
    """One unit, with predecessors and the units in force today that correspond to it."""

    serializer_class = UnitDetailSerializer
    lookup_field = "code"
    queryset = AdministrativeUnit.objects.select_related("parent").prefetch_related("successors", "predecessors")


class AddressResolutionSerializer(serializers.Serializer):
    address = serializers.CharField(help_text="Địa chỉ như đã nhận.")
    unit = UnitRefSerializer(help_text="Đơn vị hành chính mà địa chỉ ghi (có thể đã giải thể / sáp nhập).")
    historic = serializers.BooleanField(help_text="Đơn vị ghi trong địa chỉ đã hết hiệu lực (trước 1/7/2025).")
    current = UnitRefSerializer(many=True, help_text="Các đơn vị đang có hiệu lực tương ứng.")
    commune = UnitRefSerializer(
        allow_null=True, help_text="Xã, phường, đặc khu hiện nay của địa chỉ, khi xác định được duy nhất một đơn vị."
    )


@extend_schema(
    tags=["directory"],
    parameters=[
        OpenApiParameter(
            "address",
            str,
            required=True,
            description="Địa chỉ viết theo đơn vị hành chính cũ hoặc mới, các cấp cách nhau bởi dấu phẩy, ví dụ "
            "“Thôn 3, xã Quảng Hòa, thị xã Ba Đồn, tỉnh Quảng Bình”.",
        ),
    ],
    responses={200: AddressResolutionSerializer, 404: API_ERROR},
)
class UnitResolveView(PublicMixin, APIView):
    """Xã, phường, đặc khu hiện nay của một địa chỉ (kể cả địa chỉ ghi theo đơn vị trước 1/7/2025).

    Tìm trong tỉnh đang phục vụ và các tỉnh đã hợp nhất vào tỉnh (Nghị quyết 1680/NQ-UBTVQH15 với Quảng Trị).
    Địa chỉ không ghi đơn vị nào, hoặc ghi một tên có ở nhiều nơi mà không kèm huyện, tỉnh để phân biệt:
    404 với thông báo. Thiếu tham số `address`: 400.
    """

    def get(self, request):
        from rest_framework.exceptions import NotFound, ValidationError

        address = (request.query_params.get("address") or "").strip()
        if not address:
            raise ValidationError({"address": ["Nhập địa chỉ cần tra cứu."]})
        match = selectors.resolve_address(address)
        if match is None:
            raise NotFound("Không xác định được xã, phường, đặc khu từ địa chỉ này.")
        data = {
            "address": address,
            "unit": match.unit,
            "historic": match.is_historic,
            "current": match.current,
            "commune": match.current_commune,
        }
        return Response(AddressResolutionSerializer(data).data)


@extend_schema(tags=["directory"], responses=AccountSerializer)
class MeView(APIView):
    """The logged-in account, with its staff positions."""

    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response(AccountSerializer(request.user).data)


class _RegistrationView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [RegistrationThrottle]
    authentication_classes: list = []  # no session → no CSRF requirement for this public endpoint
    serializer_class: type[serializers.Serializer]

    def post(self, request):
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = self.register(**serializer.validated_data)
        return Response(AccountSerializer(user).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["directory"], request=CitizenRegistrationSerializer, responses={201: AccountSerializer})
class CitizenRegistrationView(_RegistrationView):
    """Đăng ký tài khoản công dân bằng số CCCD."""

    serializer_class = CitizenRegistrationSerializer

    def register(self, **data):
        return services.citizen_register(**data)


@extend_schema(tags=["directory"], request=BusinessRegistrationSerializer, responses={201: AccountSerializer})
class BusinessRegistrationView(_RegistrationView):
    """Đăng ký tài khoản doanh nghiệp / tổ chức bằng mã số thuế."""

    serializer_class = BusinessRegistrationSerializer

    def register(self, **data):
        return services.business_register(**data)
