from django.conf import settings

from core import request_context


class SecurityHeadersMiddleware:
    """Adds the headers Django does not set itself (Content-Security-Policy, Permissions-Policy)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/docs"):
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        return response


class RequestContextMiddleware:
    """Makes the client's address and browser known to the audit trail for this request, and holds the
    request's prelude (values read with its authentication, see core.request_context)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ip = request.META.get("REMOTE_ADDR")  # derived from trusted proxies only (core.client_address)
        token = request_context.set_current(
            request_context.RequestInfo(ip_address=ip or None, user_agent=request.META.get("HTTP_USER_AGENT", ""))
        )
        prelude = request_context.open_prelude()
        try:
            return self.get_response(request)
        finally:
            request_context.close_prelude(prelude)
            request_context.reset(token)


class VietnameseFirstLocaleMiddleware:
    """Vietnamese unless the person chose another language with the switcher (language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an English-language
    browser would get the English interface uninvited; this platform serves Vietnamese first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class StaffIdleTimeoutMiddleware:
    """Ends an official's session after ``STAFF_IDLE_MINUTES`` without a request.

    An official's session opens dossiers with citizens' personal data and signs decisions; a workstation
    left signed in at a desk must not stay usable. The time of the last request is kept in the session,
    written at most once a minute so that a busy official does not cause a session write per request.
    Citizens' and businesses' sessions are not shortened.
    """

    KEY = "cqs_last_seen"

    @classmethod
    def mark_login(cls, sender, request, user, **kwargs):
        """At sign-in (signal user_logged_in): the clock starts, and the first request writes no session."""
        import time

        if request is not None and hasattr(request, "session"):
            request.session[cls.KEY] = int(time.time())

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "is_official", False):
            now = int(time.time())
            last = request.session.get(self.KEY)
            if last is not None and now - int(last) > settings.STAFF_IDLE_MINUTES * 60:
                from django.contrib import messages
                from django.contrib.auth import logout

                logout(request)
                messages.info(request, "Phiên làm việc đã hết hạn do không thao tác quá lâu. Vui lòng đăng nhập lại.")
            elif last is None or now - int(last) >= 60:
                request.session[self.KEY] = now
        return self.get_response(request)


class BadInputMiddleware:
    """Refuses with a 400, before any view, a request whose path, query string or form data holds a NUL
    character or bytes that are not UTF-8.

    Django decodes such input (undecodable bytes become U+FFFD, NUL stays), and a view would take it to the
    database: PostgreSQL refuses NUL in text, so a search for "%00" failed with a 500. The answer is the
    Vietnamese 400 page, or the API's error shape under /api/ (core.views.refuse_input). Urlencoded bodies
    are checked as bytes here; multipart text fields of pages here too (Django's CSRF check reads them
    anyway), and those of the API where DRF parses them (core.parsers.CheckedMultiPartParser). JSON is
    checked by core.parsers.JSONParser.
    """

    _BODY_METHODS = ("POST", "PUT", "PATCH", "DELETE")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = self._problem(request)
        if problem:
            from core.views import refuse_input

            return refuse_input(request, problem)
        return self.get_response(request)

    def _problem(self, request) -> str | None:
        from core.parsers import NUL_MESSAGE, text_problem

        if "\x00" in request.path_info:
            return NUL_MESSAGE
        query = request.META.get("QUERY_STRING", "")
        if query:
            problem = _encoded_problem(query)
            if problem:
                return problem
        if request.method not in self._BODY_METHODS:
            return None
        content_type = request.content_type
        if content_type == "application/x-www-form-urlencoded":
            return _encoded_problem(request.body)
        if content_type == "multipart/form-data" and not request.path.startswith("/api/"):
            for key, values in request.POST.lists():
                for text in (key, *values):
                    problem = text_problem(text)
                    if problem:
                        return problem
            for uploads in request.FILES.lists():
                for upload in uploads[1]:
                    problem = text_problem(upload.name or "")
                    if problem:
                        return problem
        return None


def _encoded_problem(data: str | bytes) -> str | None:
    """Why a query string or urlencoded body cannot be taken: a NUL once decoded, or bytes that are not UTF-8."""
    from urllib.parse import unquote_to_bytes

    from core.parsers import NUL_MESSAGE

    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    if b"%" in data:
        data = unquote_to_bytes(data)
    if b"\x00" in data:
        return NUL_MESSAGE
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "Dữ liệu gửi lên không phải văn bản UTF-8 hợp lệ."
    return None
