"""JSON API of the signing app: verify an uploaded PDF, look up an issued document by its QR id."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from core.api import error_response
from core.parsers import CheckedMultiPartParser as MultiPartParser
from core.ratelimit import FailOpenMixin

from . import selectors
from .forms import read_pdf_upload
from .verification import verify_bytes, verify_issued


class FindingSerializer(serializers.Serializer):
    ok = serializers.BooleanField(allow_null=True, help_text="true: tốt; false: có vấn đề; null: thông tin")
    text = serializers.CharField()


class SignatureSerializer(serializers.Serializer):
    signer = serializers.CharField(help_text="Tên chủ thể chứng thư số (CN)")
    organization = serializers.CharField()
    agency_code = serializers.CharField(help_text="Mã định danh cơ quan (QCVN 102) trong chứng thư, nếu có")
    issuer = serializers.CharField(help_text="Tổ chức cấp chứng thư số")
    signing_time = serializers.CharField(help_text="Thời điểm ký theo máy ký, giờ Việt Nam")
    timestamp = serializers.CharField(help_text="Thời điểm theo dấu thời gian (PAdES B-T), nếu có")
    intact = serializers.BooleanField(help_text="Văn bản còn nguyên vẹn kể từ khi ký")
    trusted = serializers.BooleanField(help_text="Chứng thư chuỗi tới một gốc tin cậy")
    revoked = serializers.BooleanField()
    is_demo = serializers.BooleanField()
    pades = serializers.BooleanField()
    certificate_serial = serializers.CharField()
    findings = FindingSerializer(many=True)
    role = serializers.ChoiceField(
        choices=["person", "organisation", ""],
        help_text="person: chữ ký số của người có thẩm quyền (chứng thư cá nhân); organisation: của cơ quan, tổ chức",
    )
    role_label = serializers.CharField()
    title = serializers.CharField(help_text="Chức danh trong chứng thư số cá nhân, nếu có")
    valid = serializers.BooleanField(help_text="Chữ ký này hợp lệ: nguyên vẹn, chứng thư tin cậy, không bị thu hồi")


class VerificationSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=["valid", "untrusted", "revoked", "tampered", "unsigned", "unreadable"])
    headline = serializers.CharField()
    signatures = SignatureSerializer(many=True)
    sha256 = serializers.CharField()
    issued_document = serializers.CharField(help_text="Mã xác thực của văn bản do hệ thống phát hành trùng khớp")
    issued_document_revoked = serializers.BooleanField()


class IssuedDocumentSerializer(serializers.Serializer):
    public_id = serializers.CharField()
    kind = serializers.CharField()
    kind_label = serializers.CharField(source="get_kind_display")
    title = serializers.CharField()
    reference = serializers.CharField()
    agency_code = serializers.CharField(source="agency.code")
    agency_name = serializers.CharField(source="agency.name")
    signer_name = serializers.CharField()
    signer_title = serializers.CharField()
    signed_by = serializers.SerializerMethodField(help_text="Người có thẩm quyền đã ký bằng chứng thư cá nhân")
    signer_signed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    sha256 = serializers.CharField()
    revoked = serializers.BooleanField()
    verify_url = serializers.CharField()
    download_url = serializers.SerializerMethodField()

    def get_signed_by(self, obj) -> str:
        return obj.signed_by.display_name if obj.signed_by_id else ""

    def get_download_url(self, obj) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(obj.download_path) if request else obj.download_path


class VerifyUploadThrottle(FailOpenMixin, AnonRateThrottle):
    scope = "anon"


class VerifyUserThrottle(FailOpenMixin, UserRateThrottle):
    pass


class VerifyAPIView(APIView):
    """Kiểm tra chữ ký số của một tệp PDF bất kỳ (tệp không được lưu lại)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [VerifyUploadThrottle, VerifyUserThrottle]

    @extend_schema(
        operation_id="signing_verify_upload",
        summary="Kiểm tra chữ ký số trên tệp PDF",
        request={"multipart/form-data": inline_serializer("VerifyUpload", {"file": serializers.FileField()})},
        responses={200: VerificationSerializer, 400: OpenApiResponse(description="Tệp không hợp lệ")},
        auth=[],
    )
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            return error_response(
                "required",
                "Hãy gửi tệp PDF trong trường 'file'.",
                status.HTTP_400_BAD_REQUEST,
                fields={"file": ["Hãy gửi tệp PDF cần kiểm tra."]},
            )
        try:
            data = read_pdf_upload(upload)
        except DjangoValidationError as exc:
            return error_response(
                exc.code or "invalid", exc.messages[0], status.HTTP_400_BAD_REQUEST, fields={"file": exc.messages}
            )
        return Response(VerificationSerializer(verify_bytes(data).as_dict()).data)


class DocumentAPIView(APIView):
    """Thông tin và kết quả xác thực của một văn bản do hệ thống phát hành (theo mã trên mã QR)."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        operation_id="signing_document_retrieve",
        summary="Xác thực văn bản theo mã QR",
        responses={
            200: inline_serializer(
                "IssuedDocumentVerification",
                {
                    "document": IssuedDocumentSerializer(),
                    "verification": VerificationSerializer(),
                },
            ),
            404: OpenApiResponse(description="Không tìm thấy văn bản"),
        },
        auth=[],
    )
    def get(self, request, public_id: str):
        document = selectors.document_for_public_id(public_id)
        if document is None:
            raise Http404
        result = verify_issued(document)
        return Response(
            {
                "document": IssuedDocumentSerializer(document, context={"request": request}).data,
                "verification": VerificationSerializer(result.as_dict()).data,
            }
        )
