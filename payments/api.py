"""REST API of the payments app (mounted at /api/payments/)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import permissions, selectors, services
from .choices import ObligationStatus
from .models import FeeObligation, PaymentAttempt, ReconciliationFlag
from .providers import UnknownProvider


class ObligationSerializer(serializers.ModelSerializer):
    class Meta:
        model = FeeObligation
        fields = ["id", "kind", "description", "amount", "status", "paid_at"]


class ReceiptSerializer(serializers.Serializer):
    number = serializers.CharField(help_text="Mã biên lai (ký hiệu và số), dùng trong địa chỉ trang biên lai.")
    form_code = serializers.CharField(help_text="Ký hiệu mẫu biên lai (Thông tư 78/2021/TT-BTC).")
    symbol = serializers.CharField(help_text="Ký hiệu biên lai.")
    printed_number = serializers.CharField(help_text="Số biên lai in trên biên lai (7 chữ số).")
    collector_name = serializers.CharField(help_text="Tổ chức thu phí, lệ phí.")
    collector_tax_code = serializers.CharField(help_text="Mã số thuế của tổ chức thu.")
    fee_name = serializers.CharField(help_text="Tên loại phí, lệ phí.")
    amount_in_words = serializers.CharField(help_text="Số tiền bằng chữ.")
    amount = serializers.DecimalField(max_digits=14, decimal_places=0)
    issued_at = serializers.DateTimeField()
    signed = serializers.BooleanField()
    verify_url = serializers.CharField()


class DossierPaymentsSerializer(serializers.Serializer):
    dossier = serializers.CharField()
    state = serializers.ChoiceField(choices=["none", "due", "paid"])
    due_total = serializers.DecimalField(max_digits=14, decimal_places=0)
    obligations = ObligationSerializer(many=True)
    receipts = ReceiptSerializer(many=True)


class AttemptSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(source="provider_reference")
    dossier = serializers.CharField(source="dossier.code")

    class Meta:
        model = PaymentAttempt
        fields = [
            "reference",
            "dossier",
            "provider",
            "amount",
            "status",
            "redirect_url",
            "qr_payload",
            "created_at",
            "paid_at",
        ]


class PaymentStartSerializer(serializers.Serializer):
    provider = serializers.CharField(max_length=30)


class CounterPaymentSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=0, min_value=0)
    reference = serializers.CharField(max_length=100)


class FlagSerializer(serializers.ModelSerializer):
    dossier = serializers.CharField(source="dossier.code", default=None)

    class Meta:
        model = ReconciliationFlag
        fields = [
            "id",
            "kind",
            "status",
            "provider",
            "dossier",
            "expected_amount",
            "received_amount",
            "reference",
            "details",
            "created_at",
            "resolution",
            "resolved_at",
        ]


WebhookResultSerializer = inline_serializer(
    "PaymentWebhookResult",
    fields={
        "event_id": serializers.CharField(),
        "outcome": serializers.CharField(),
        "replayed": serializers.BooleanField(),
    },
)


class DossierObligationsView(APIView):
    """Fees and charges of a dossier, for its applicant or officials of its agencies."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=DossierPaymentsSerializer, summary="Các khoản phí, lệ phí của hồ sơ")
    def get(self, request, code):
        dossier = selectors.dossier_for_payment(request.user, code)
        obligations = list(selectors.obligations_for(dossier))
        due = [o for o in obligations if o.status == ObligationStatus.DUE]
        state = "none" if not obligations else ("due" if due else "paid")
        data = {
            "dossier": dossier.code,
            "state": state,
            "due_total": sum(o.amount for o in due),
            "obligations": obligations,
            "receipts": list(selectors.receipts_for(dossier)),
        }
        return Response(DossierPaymentsSerializer(data).data)


class PaymentStartView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=PaymentStartSerializer,
        responses={201: AttemptSerializer},
        summary="Bắt đầu thanh toán trực tuyến cho hồ sơ",
    )
    def post(self, request, code):
        dossier = selectors.dossier_for_payment(request.user, code)
        payload = PaymentStartSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        attempt = services.payment_start(
            dossier=dossier, provider=payload.validated_data["provider"], actor=request.user
        )
        return Response(AttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)


class AttemptView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=AttemptSerializer, summary="Trạng thái một giao dịch thanh toán")
    def get(self, request, reference):
        return Response(AttemptSerializer(selectors.attempt_for(request.user, reference)).data)


class WebhookView(APIView):
    """Callback of a payment provider. No login: the HMAC-SHA256 signature over the raw body is the proof."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request={"application/json": {"type": "object"}},
        responses={
            200: WebhookResultSerializer,
            400: OpenApiResponse(description="Nội dung không hợp lệ"),
            403: OpenApiResponse(description="Chữ ký không hợp lệ"),
            404: OpenApiResponse(description="Nhà cung cấp không tồn tại"),
        },
        summary="Nhận thông báo kết quả thanh toán (webhook)",
    )
    def post(self, request, provider):
        body = request.body  # the raw bytes, read before anything parses them
        try:
            event = services.payment_handle_webhook(provider=provider, headers=request.headers, body=body)
        except UnknownProvider:
            raise Http404 from None
        return Response({"event_id": event.event_id, "outcome": event.outcome, "replayed": event.replayed})


class CounterPaymentView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=CounterPaymentSerializer,
        responses={201: AttemptSerializer},
        summary="Ghi nhận khoản thu tại quầy một cửa",
    )
    def post(self, request, pk):
        obligation = get_object_or_404(FeeObligation.objects.select_related("dossier"), pk=pk)
        if not permissions.can_view_payments(request.user, obligation.dossier):
            raise Http404
        payload = CounterPaymentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        attempt = services.counter_payment_record(obligation=obligation, actor=request.user, **payload.validated_data)
        return Response(AttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)


class FlagListView(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = FlagSerializer

    @extend_schema(summary="Sai lệch thanh toán đang chờ đối soát")
    def get(self, request, *args, **kwargs):
        if not permissions.can_reconcile(request.user):
            raise PermissionDenied("Bạn không có quyền đối soát thanh toán.")
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.flags_for(self.request.user)
