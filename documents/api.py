"""REST API of the documents app (mounted at /api/documents/); the same selectors and services as the pages.

- GET  incoming/                 incoming documents the caller may see (văn thư and leaders of the agency, the
                                 units and officials it was assigned to), searched and filtered; secret ones
                                 are never listed
- POST incoming/                 the văn thư registers a paper document from its scan (multipart, PDF or JPEG);
                                 its text is read in the background (OCR) for search
- GET  incoming/{id}/            one incoming document with its handling; 404 for one the caller may not see
- POST incoming/{id}/register/   the văn thư registers an arrived document (số đến)
- POST incoming/{id}/assign/     the agency's leader assigns it: lead unit, cooperating, informed, deadline
- GET  outgoing/                 outgoing documents the caller may see, searched and filtered
- GET  outgoing/{id}/            one outgoing document

Errors have the platform's shape (core.api.exception_handler): 400 invalid, 403 permission_denied, 404.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.pagination import LimitOffsetPagination
from core.parsers import CheckedMultiPartParser, JSONParser
from directory.choices import Role
from directory.models import Agency, OrgUnit
from directory.selectors import agencies_with_role

from . import selectors, services
from .choices import Confidentiality, DocumentType, IncomingStatus, OutgoingStatus, Urgency
from .models import Assignment, BodyText, IncomingDocument, OutgoingDocument
from .selectors import SearchFilters

COUNT_CAP = 10_000


class CappedPagination(LimitOffsetPagination):
    """Search results are counted up to COUNT_CAP (`count` then says 10000: "at least"), so a broad word over a
    million documents does not make the database count them all."""

    def get_count(self, queryset):
        return queryset[:COUNT_CAP].count()


class AgencyBriefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class AssignmentSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.name", read_only=True)
    unit_id = serializers.IntegerField(read_only=True)
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    assignee = serializers.CharField(source="assignee.display_name", default=None, read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "unit_id", "unit", "role", "role_label", "due_on", "status", "assignee", "instruction"]


class IncomingSerializer(serializers.ModelSerializer):
    agency = AgencyBriefSerializer(read_only=True)
    document_type_label = serializers.CharField(source="get_document_type_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    incoming_number_text = serializers.SerializerMethodField(help_text="Số đến, dạng 05/2026")

    class Meta:
        model = IncomingDocument
        fields = [
            "id",
            "agency",
            "source",
            "sender_name",
            "number_and_symbol",
            "document_date",
            "document_type",
            "document_type_label",
            "subject",
            "urgency",
            "confidentiality",
            "status",
            "status_label",
            "arrived_at",
            "registration_due",
            "year",
            "incoming_number",
            "incoming_number_text",
            "registered_at",
        ]

    def get_incoming_number_text(self, obj) -> str:
        return f"{obj.incoming_number:02d}/{obj.year}" if obj.incoming_number else ""


class IncomingDetailSerializer(IncomingSerializer):
    assignments = AssignmentSerializer(many=True, read_only=True)
    body_text_state = serializers.SerializerMethodField(
        help_text="Nội dung văn bản cho tra cứu: pending (đang đọc/OCR), done, failed, hoặc rỗng"
    )
    body_text_method = serializers.SerializerMethodField(help_text="text_layer (lớp chữ PDF) hoặc ocr")

    class Meta(IncomingSerializer.Meta):
        fields = [
            *IncomingSerializer.Meta.fields,
            "returned_reason",
            "assignments",
            "body_text_state",
            "body_text_method",
        ]

    def _body(self, obj) -> BodyText | None:
        if not hasattr(obj, "_body_row"):
            obj._body_row = BodyText.objects.filter(incoming=obj).only("state", "method").first()
        row: BodyText | None = obj._body_row
        return row

    def get_body_text_state(self, obj) -> str:
        row = self._body(obj)
        return row.state if row is not None else ""

    def get_body_text_method(self, obj) -> str:
        row = self._body(obj)
        return row.method if row is not None else ""


class IncomingCreatedSerializer(IncomingSerializer):
    """A document just registered: its text is being read (no handling yet)."""

    body_text_state = serializers.SerializerMethodField(help_text="pending: nội dung đang được đọc (OCR) để tra cứu")

    class Meta(IncomingSerializer.Meta):
        fields = [*IncomingSerializer.Meta.fields, "body_text_state"]

    def get_body_text_state(self, obj) -> str:
        return BodyText.State.PENDING if obj.scan else ""


class OutgoingSerializer(serializers.ModelSerializer):
    agency = AgencyBriefSerializer(read_only=True)
    number_and_symbol = serializers.SerializerMethodField()
    document_type_label = serializers.CharField(source="get_document_type_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = OutgoingDocument
        fields = [
            "id",
            "agency",
            "number_and_symbol",
            "document_type",
            "document_type_label",
            "subject",
            "urgency",
            "confidentiality",
            "status",
            "status_label",
            "created_at",
            "issued_at",
            "sent_at",
        ]

    def get_number_and_symbol(self, obj) -> str:
        return obj.entry.number_and_symbol if obj.entry_id else ""


SEARCH_PARAMETERS = [
    OpenApiParameter("q", str, description="Từ khóa: số, ký hiệu, trích yếu, cơ quan, nội dung; có hoặc không dấu"),
    OpenApiParameter("type", str, enum=list(DocumentType.values), description="Loại văn bản"),
    OpenApiParameter("status", str, description="Trạng thái (của văn bản đến hoặc đi)"),
    OpenApiParameter("date_from", str, description="Từ ngày (YYYY-MM-DD): ngày đến, hoặc ngày tạo văn bản đi"),
    OpenApiParameter("date_to", str, description="Đến ngày (YYYY-MM-DD), kể cả ngày này"),
    OpenApiParameter("issuer", str, description="Cơ quan ban hành: mã QCVN 102 hoặc từ trong tên"),
    OpenApiParameter("unit", int, description="Đơn vị được giao (văn bản đến) hoặc đơn vị soạn thảo (văn bản đi)"),
]


class SearchParams(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    type = serializers.ChoiceField(choices=DocumentType.choices, required=False, allow_blank=True, default="")
    status = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    date_from = serializers.DateField(required=False, allow_null=True, default=None)
    date_to = serializers.DateField(required=False, allow_null=True, default=None)
    issuer = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    unit = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1)

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.statuses = set(statuses)

    def validate_status(self, value: str) -> str:
        if value and value not in self.statuses:
            raise serializers.ValidationError("Trạng thái không hợp lệ.")
        return value


def _filters(request, statuses) -> tuple[str, SearchFilters]:
    params = SearchParams(data=request.query_params, statuses=statuses)
    params.is_valid(raise_exception=True)
    d = params.validated_data
    return d["q"], SearchFilters(
        document_type=d["type"],
        status=d["status"],
        date_from=d["date_from"],
        date_to=d["date_to"],
        issuer=d["issuer"],
        unit=d["unit"],
    )


class PaperIncomingRequest(serializers.Serializer):
    agency = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Mã QCVN 102 của cơ quan nhận; bỏ trống nếu chỉ có một"
    )
    scan = serializers.FileField(help_text="Bản quét PDF hoặc JPEG (tối đa 20 MB)")
    sender_name = serializers.CharField(max_length=300)
    number_and_symbol = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    document_date = serializers.DateField(required=False, allow_null=True, default=None)
    document_type = serializers.ChoiceField(choices=DocumentType.choices)
    subject = serializers.CharField(max_length=1000)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, default=Urgency.NORMAL)
    confidentiality = serializers.ChoiceField(
        choices=Confidentiality.choices, required=False, default=Confidentiality.NONE
    )


@extend_schema(tags=["documents"], parameters=SEARCH_PARAMETERS)
class IncomingListCreate(generics.ListAPIView):
    """Văn bản đến người gọi được xem, mới nhất trước (tra cứu toàn văn, bộ lọc); văn thư vào sổ văn bản giấy."""

    permission_classes = [IsAuthenticated]
    serializer_class = IncomingSerializer
    pagination_class = CappedPagination
    parser_classes = [CheckedMultiPartParser, FormParser]

    def get_queryset(self):
        query, filters = _filters(self.request, IncomingStatus.values)
        return selectors.search_incoming(self.request.user, query, filters)

    @extend_schema(
        operation_id="documents_incoming_create",
        request={"multipart/form-data": PaperIncomingRequest},
        responses={201: IncomingCreatedSerializer},
    )
    def post(self, request):
        form = PaperIncomingRequest(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        agency = _clerk_agency(request.user, d["agency"])
        document = services.incoming_record_paper(
            actor=request.user,
            agency=agency,
            scan=d["scan"],
            sender_name=d["sender_name"],
            number_and_symbol=d["number_and_symbol"],
            document_date=d["document_date"],
            document_type=d["document_type"],
            subject=d["subject"],
            urgency=d["urgency"],
            confidentiality=d["confidentiality"],
        )
        return Response(IncomingCreatedSerializer(document).data, status=status.HTTP_201_CREATED)


def _clerk_agency(user, code: str) -> Agency:
    """The agency where `user` is văn thư that the request names (or the only one)."""
    agencies = list(Agency.objects.filter(pk__in=agencies_with_role(user, Role.DOCUMENT_CLERK)).order_by("code"))
    if not agencies:
        raise PermissionDenied("Chỉ văn thư của cơ quan được vào sổ văn bản đến.")
    if code:
        chosen = next((a for a in agencies if a.code == code.strip()), None)
        if chosen is None:
            raise PermissionDenied("Bạn không phải văn thư của cơ quan này.")
        return chosen
    if len(agencies) > 1:
        raise serializers.ValidationError({"agency": ["Bạn là văn thư của nhiều cơ quan: cần chọn cơ quan nhận."]})
    return agencies[0]


@extend_schema(tags=["documents"], responses=IncomingDetailSerializer)
class IncomingDetail(APIView):
    """Một văn bản đến và việc xử lý nó; 404 nếu người gọi không được xem."""

    permission_classes = [IsAuthenticated]

    def get(self, request, pk: int):
        return Response(IncomingDetailSerializer(selectors.incoming_get_for(request.user, pk)).data)


@extend_schema(tags=["documents"], request=None, responses=IncomingDetailSerializer)
class IncomingRegister(APIView):
    """Văn thư vào sổ một văn bản đã đến (cấp số đến của năm)."""

    permission_classes = [IsAuthenticated]

    def post(self, request, pk: int):
        document = selectors.incoming_get_for(request.user, pk)
        document = services.incoming_register(actor=request.user, document=document)
        return Response(IncomingDetailSerializer(document).data)


class AssignRequest(serializers.Serializer):
    lead = serializers.IntegerField(help_text="Đơn vị chủ trì (id)")
    cooperating = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    informed = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    days = serializers.IntegerField(help_text="Thời hạn xử lý, ngày làm việc (1–365)")
    instruction = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


@extend_schema(tags=["documents"], request=AssignRequest, responses=IncomingDetailSerializer)
class IncomingAssign(APIView):
    """Lãnh đạo cơ quan phân công xử lý: đơn vị chủ trì, phối hợp, để biết, thời hạn (Nghị định 30/2020, Điều 24)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, FormParser]

    def post(self, request, pk: int):
        document = selectors.incoming_get_for(request.user, pk)
        form = AssignRequest(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        units = {u.pk: u for u in OrgUnit.objects.filter(agency_id=document.agency_id)}

        def unit(pk: int, field: str) -> OrgUnit:
            if pk not in units:
                raise serializers.ValidationError({field: ["Đơn vị không thuộc cơ quan nhận văn bản."]})
            return units[pk]

        services.incoming_assign(
            actor=request.user,
            document=document,
            lead=unit(d["lead"], "lead"),
            cooperating=[unit(pk, "cooperating") for pk in d["cooperating"]],
            informed=[unit(pk, "informed") for pk in d["informed"]],
            days=d["days"],
            instruction=d["instruction"],
        )
        return Response(IncomingDetailSerializer(selectors.incoming_get_for(request.user, pk)).data)


@extend_schema(tags=["documents"], parameters=SEARCH_PARAMETERS)
class OutgoingList(generics.ListAPIView):
    """Văn bản đi người gọi được xem, mới nhất trước (tra cứu toàn văn, bộ lọc)."""

    permission_classes = [IsAuthenticated]
    serializer_class = OutgoingSerializer
    pagination_class = CappedPagination

    def get_queryset(self):
        query, filters = _filters(self.request, OutgoingStatus.values)
        return selectors.search_outgoing(self.request.user, query, filters)


@extend_schema(tags=["documents"], responses=OutgoingSerializer)
class OutgoingDetail(APIView):
    """Một văn bản đi; 404 nếu người gọi không được xem."""

    permission_classes = [IsAuthenticated]

    def get(self, request, pk: int):
        document = selectors.outgoing_visible_get(request.user, pk)
        if document is None:
            raise Http404
        return Response(OutgoingSerializer(document).data)
