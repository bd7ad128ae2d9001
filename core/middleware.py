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
