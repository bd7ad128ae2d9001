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
        ip = request.META.get("REMOTE_ADDR")
        if settings.SECURE_PROXY_SSL_HEADER and request.META.get("HTTP_X_FORWARDED_FOR"):
            ip = request.META["HTTP_X_FORWARDED_FOR"].split(",")[0].strip()
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
