"""REST API of the feedback app (mounted at /api/feedback/); the same services as the pages.

- GET  categories/                      public: two-level categories (the Open311 services)
- GET  reports/                         public: reports past triage, personal data hidden
- GET  reports/mine/                    the signed-in reporter's reports
- GET  reports/queue/?kind=triage|unit|approval   staff queues (role-checked in the selectors)
- POST reports/{token}/{action}/        one workflow step (accept, reject, merge, route, start,
                                        request_info, answer_info, forward, resolve, approve, return,
                                        rate, reopen); errors in the platform's error shape. The
                                        reporter's steps (answer_info, rate, reopen) also work without
                                        an account with `follow_key`: the private key of the follow link
                                        handed out at submission (web page, Open311 service_notice).
Web and app submissions use the page form or Open311 (POST /open311/v2/requests.json).
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.openapi import API_ERROR
from directory.models import Agency, OrgUnit

from . import selectors
from .actions import ACTIONS as REPORT_ACTIONS
from .models import Category, Report


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent.code", default=None, read_only=True)

    class Meta:
        model = Category
        fields = ["code", "name", "description", "parent", "handling_days", "keywords"]


class PublicReportSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    location = serializers.CharField(source="location_label", read_only=True)
    agency = serializers.CharField(source="routed_agency.name", default=None, read_only=True)
    resolution = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "service_request_id",
            "token",
            "category",
            "category_name",
            "status",
            "status_label",
            "status_note",
            "description",
            "lat",
            "long",
            "location",
            "agency",
            "created_at",
            "due_at",
            "published_at",
            "resolution",
            "rating",
        ]

    def get_resolution(self, obj) -> str | None:
        return obj.resolution if obj.published_at else None


class CategoryList(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = CategorySerializer
    pagination_class = None

    def get_queryset(self):
        return Category.objects.filter(is_active=True).select_related("parent")


class PublicReportList(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = PublicReportSerializer

    def get_queryset(self):
        return selectors.public_reports()


class MyReportList(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = PublicReportSerializer

    def get_queryset(self):
        return selectors.reports_of(self.request.user)


QUEUES = {
    "triage": selectors.triage_queue,
    "unit": selectors.handler_queue,
    "approval": selectors.approval_queue,
}


@extend_schema(
    parameters=[
        OpenApiParameter(
            "kind",
            str,
            enum=list(QUEUES),
            description="triage: chờ tiếp nhận; unit: đơn vị đang xử lý (mặc định); approval: chờ phê duyệt kết quả.",
        )
    ],
    responses={200: PublicReportSerializer(many=True), 404: API_ERROR},
)
class QueueList(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = PublicReportSerializer

    def get_queryset(self):
        reader = QUEUES.get(self.request.query_params.get("kind", "unit"))
        if reader is None:
            raise Http404
        return reader(self.request.user)


class ActionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    into = serializers.CharField(required=False, allow_blank=True, default="", help_text="service_request_id")
    agency = serializers.CharField(required=False, allow_blank=True, default="", help_text="mã cơ quan (QCVN 102)")
    unit = serializers.IntegerField(required=False, allow_null=True, default=None)
    question = serializers.CharField(required=False, allow_blank=True, default="")
    answer = serializers.CharField(required=False, allow_blank=True, default="")
    resolution = serializers.CharField(required=False, allow_blank=True, default="")
    rating = serializers.IntegerField(required=False, allow_null=True, default=None)
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    follow_key = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="khóa theo dõi riêng của người phản ánh (answer_info, rate, reopen)",
    )


def _target(data):
    agency = Agency.objects.filter(code=data["agency"], is_active=True).first() if data["agency"] else None
    unit = OrgUnit.objects.filter(pk=data["unit"]).first() if data["unit"] else None
    if unit is not None and agency is None:
        agency = unit.agency
    return agency, unit


# The workflow steps of the API: the API names of the registry (feedback/actions.py).
ACTIONS = REPORT_ACTIONS.in_api()


class ReportAction(APIView):
    permission_classes = [AllowAny]  # officials' steps need an account: checked below and in the services

    @extend_schema(request=ActionSerializer, responses=PublicReportSerializer)
    def post(self, request, token, action):
        step = ACTIONS.get(action)
        if step is None:
            raise Http404
        serializer = ActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # Steps of the reporter: a follow key stands in for an account (anonymous and Open311 reporters).
        if not request.user.is_authenticated and not (step.anonymous and data["follow_key"]):
            raise NotAuthenticated
        data = {**data, "target": _target(data), "photo_files": (), "reporter_key": data["follow_key"]}
        report = step(request.user, selectors.report_by_token(token), data)
        return Response(PublicReportSerializer(report).data)
