"""How the OpenAPI document describes what every operation can answer besides its success.

drf-spectacular documents the success of an operation from its serializers; the errors come from the
platform's conventions (core.api.exception_handler gives them one shape) and from what the view is made of,
so they are derived here, once, for every operation, rather than written by hand on each view:

Also here, for every serializer: a response field with `default=None` is documented as nullable (DRF answers
the default when the field's source is missing), and a time of day as a string of "HH:MM" or "HH:MM:SS" (what
DRF writes; OpenAPI's `time` format is RFC 3339's, which needs a time zone).

- 400 `invalid`: any request (a body or parameter that fails validation, a body that is not what its
  content type says, a business rule refusing the input or the object's state);
- 401 `authentication_failed`, with `WWW-Authenticate`: a system's API credential refused (wrong, expired,
  revoked), on views that read credentials (core.authentication.ApiCredentialAuthentication);
- 403 `not_authenticated` / `authentication_failed` / `permission_denied`: on views that authenticate (no
  credentials where they are needed, a DRF token or session refused, the role or a read-only key not enough);
- 404 `not_found`: operations whose path names an object (none, or not one the caller may see);
- 415 `unsupported_media_type`: operations that take a request body, for a body of another content type;
- 429 `throttled`, with `Retry-After`: views with a rate limit (their throttle classes).

A view may declare any of these itself: `responses={404: API_ERROR}` for the shared response where the view
gives the error in a way not seen here (no path parameter, a rate limit of its own), or an
`OpenApiResponse(description=…)` for a description of its own, which then gets the error body. Errors are
JSON whatever the success's media type is (a PDF download answers a refusal in JSON).
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.permissions import AllowAny

ERROR_MEDIA_TYPE = "application/json"
TIME_OF_DAY = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$"


class ApiErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="invalid | authentication_failed | not_authenticated | permission_denied | not_found | "
        "method_not_allowed | unsupported_media_type | throttled | …"
    )
    message = serializers.CharField(help_text="Thông báo tiếng Việt cho người dùng.")
    fields = serializers.DictField(
        required=False,
        help_text="Lỗi theo từng trường của yêu cầu (khi có): tên trường → danh sách thông báo (hoặc lỗi của "
        "từng phần tử, với trường lồng nhau).",
    )


class ApiErrorSerializer(serializers.Serializer):
    """Mọi lỗi của API có cùng một dạng: `{"error": {"code", "message", "fields"}}`."""

    error = ApiErrorBodySerializer()


API_ERROR = ApiErrorSerializer

# status: (name of the shared response component, its description)
_ERRORS = {
    "400": (
        "BadRequest",
        "Yêu cầu không hợp lệ (`invalid`): dữ liệu sai, hoặc quy định, trạng thái của đối tượng không cho phép; "
        "không có gì thay đổi.",
    ),
    "401": ("Unauthorized", "Khóa API sai, đã hết hạn hoặc đã bị thu hồi (`authentication_failed`)."),
    "403": (
        "Forbidden",
        "Chưa đăng nhập (`not_authenticated`), thông tin đăng nhập không hợp lệ (`authentication_failed`), hoặc "
        "không có quyền (`permission_denied`, kể cả khóa API chỉ được đọc).",
    ),
    "404": ("NotFound", "Không có đối tượng này, hoặc người gọi không được xem (`not_found`)."),
    "415": ("UnsupportedMediaType", "Kiểu nội dung của thân yêu cầu không được hỗ trợ (`unsupported_media_type`)."),
    "429": ("TooManyRequests", "Quá số lượt cho phép (`throttled`); thử lại sau số giây trong `Retry-After`."),
}

_HEADERS = {
    "401": {
        "WWW-Authenticate": {
            "schema": {"type": "string"},
            "description": 'Cách xác thực được chấp nhận: `Bearer realm="api"`.',
        }
    },
    "429": {
        "Retry-After": {
            "schema": {"type": "string", "pattern": "^[0-9]+$"},
            "description": "Số giây cần chờ trước khi gọi lại.",
        }
    },
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's AutoSchema, adding the error responses each operation can give (module docstring)."""

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.TimeField) and schema.get("format") == "time":
            schema = {k: v for k, v in schema.items() if k != "format"}
            schema["pattern"] = TIME_OF_DAY
        return schema

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        # A field whose source may be missing (`source="parent.code", default=None`) answers its default, null,
        # when it is: the document says so (drf-spectacular looks at `allow_null` only).
        if direction == "response" and getattr(field, "default", empty) is None:
            meta["nullable"] = True
        return meta

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, declared in list(responses.items()):
            if code in _ERRORS and not declared.get("description"):
                # `responses={404: API_ERROR}`: the shared response, as if derived.
                responses[code] = self._shared_error_response(code)
                continue
            # An error the view declared itself, perhaps with a description only: the error body and headers.
            if code >= "400":
                declared.setdefault("content", self._error_response(code, "")["content"])
                if code in _HEADERS:
                    declared["headers"] = {**_HEADERS[code], **declared.get("headers", {})}
        for code in self._error_codes():
            if code not in responses:
                responses[code] = self._shared_error_response(code)
        return dict(sorted(responses.items()))

    def _error_response(self, code: str, description: str) -> dict:
        response = self._get_response_for_code(
            OpenApiResponse(API_ERROR, description=description), code, media_types=[ERROR_MEDIA_TYPE]
        )
        if code in _HEADERS:
            response["headers"] = dict(_HEADERS[code])
        return response

    def _shared_error_response(self, code: str) -> dict:
        """A reference to components/responses/<name>, registered on first use."""
        name, description = _ERRORS[code]
        component = ResolvedComponent(
            name=name,
            type=ResolvedComponent.RESPONSE,
            schema=self._error_response(code, description),
            object=name,
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _error_codes(self) -> list[str]:
        from core.authentication import ApiCredentialAuthentication

        view = self.view
        authenticators = view.get_authenticators()
        codes = ["400"]
        if any(isinstance(a, ApiCredentialAuthentication) for a in authenticators):
            codes.append("401")
        if authenticators or any(not isinstance(p, AllowAny) for p in view.get_permissions()):
            codes.append("403")
        if "{" in self.path:
            codes.append("404")
        if self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None:
            codes.append("415")
        if view.get_throttles():
            codes.append("429")
        return codes
