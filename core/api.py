"""API conventions shared by every app: one error shape, and helpers to raise it from services."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _django_validation_detail(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for e in errors for m in e.messages] for field, errors in exc.error_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def exception_handler(exc, context):
    """Every API error is `{"error": {"code", "message", "fields"}}` with the right HTTP status.

    Services raise Django's ValidationError / PermissionDenied; they arrive here as 400 / 403.
    """
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_django_validation_detail(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    fields = None
    if isinstance(exc, exceptions.ValidationError):
        code = "invalid"
        if isinstance(detail, dict):
            fields = detail
            first = next(iter(detail.values()), "")
            message = first[0] if isinstance(first, list) and first else str(first)
        else:
            message = detail[0] if isinstance(detail, list) and detail else str(detail)
    else:
        code = getattr(exc, "default_code", "error")
        message = detail.get("detail", "") if isinstance(detail, dict) else str(detail)
    body = {"error": {"code": code, "message": str(message)}}
    if fields:
        body["error"]["fields"] = fields
    return Response(body, status=response.status_code, headers=response.headers)


def error_response(code: str, message: str, http_status: int = status.HTTP_400_BAD_REQUEST, fields=None):
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return Response(body, status=http_status)


class JSONField(serializers.JSONField):
    """DRF's JSONField whose text (a multipart field holding JSON) is read by core.parsers.loads: JSON too deep,
    a NUL or a lone surrogate is a field error, as in a JSON body (core.parsers.JSONParser)."""

    def to_internal_value(self, data):
        from core.parsers import json_problem, loads

        if self.binary or getattr(data, "is_json_string", False):
            if isinstance(data, bytes):
                data = data.decode(errors="replace")
            if not isinstance(data, str):
                self.fail("invalid")
            try:
                return loads(data)
            except ValueError as exc:
                raise exceptions.ValidationError(str(exc), code="invalid") from None
        problem = json_problem(data)
        if problem:
            raise exceptions.ValidationError(problem, code="invalid")
        return super().to_internal_value(data)
