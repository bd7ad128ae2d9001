"""The kernel's own answers: the health check and the error answers Django's handlers give (config/urls.py).

The site's pages (front page, login, account security) are the portal's (portal/views.py).
"""

from django.shortcuts import render


def healthz(request):
    from django.db import connection
    from django.http import JsonResponse

    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# --------------------------------------------------------------------------- error answers
#
# Django answers its own errors (an unknown path, a body too large, an unexpected exception) with the
# templates 400/403/404/500.html. Under /api/ the answer is the API's error shape instead
# (`{"error": {"code", "message"}}`, core.api), so a machine never has to read an HTML page; DRF's own views
# answer their errors through core.api.exception_handler already.

API_PREFIX = "/api/"
_API_ERRORS = {
    400: ("bad_request", "Yêu cầu không hợp lệ."),
    403: ("permission_denied", "Bạn không có quyền thực hiện thao tác này."),
    404: ("not_found", "Không tìm thấy."),
    405: ("method_not_allowed", "Phương thức không được hỗ trợ."),
    500: ("server_error", "Hệ thống đang gặp sự cố; dữ liệu không bị thay đổi. Vui lòng thử lại sau."),
}


def is_api_request(request) -> bool:
    # The API's documentation pages (Swagger, ReDoc) are HTML for people; their errors too.
    return request.path.startswith(API_PREFIX) and not request.path.startswith(("/api/docs/", "/api/redoc/"))


def api_error(status: int, code: str | None = None, message: str | None = None):
    from django.http import JsonResponse

    default_code, default_message = _API_ERRORS.get(status, ("error", "Lỗi."))
    return JsonResponse({"error": {"code": code or default_code, "message": message or default_message}}, status=status)


def refuse_input(request, message: str):
    """400 for input refused before any view (core.middleware.BadInputMiddleware): JSON under /api/, else a page."""
    if is_api_request(request):
        return api_error(400, "parse_error", message)
    return render(request, "400.html", {"message": message}, status=400)


def bad_request(request, exception):
    from django.views import defaults

    if is_api_request(request):
        return api_error(400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    from django.views import defaults

    if is_api_request(request):
        return api_error(403, message=str(exception) or None)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    from django.views import defaults

    if is_api_request(request):
        return api_error(404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    from django.views import defaults

    if is_api_request(request):
        return api_error(500)
    return defaults.server_error(request)
