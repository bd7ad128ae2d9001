"""API authentication shared by every app."""

import functools

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from core import request_context, speedups


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication (`Authorization: Token <key>`), with its query compiled once per process.

    Every call of a system or app that holds a token reads the token and its user; building that
    two-table query through the ORM cost about a millisecond of CPU, several times what running it
    costs. On PostgreSQL the SQL the ORM made once is run directly (the driver gives the column types
    the models expect) as a prepared statement of the (persistent) connection, so the server plans it
    once per connection rather than on every call (planning took four times longer than running it);
    the same statement reads the request's prelude (core.request_context), the values other apps would
    read with a query of their own. On SQLite, whose driver returns text for dates, DRF's own query is
    used, and so it is with the speed-up "token_sql" off (CQS_SPEEDUPS, core/speedups); the apps then read
    their prelude values with queries of their own.
    """

    def authenticate_credentials(self, key):
        if connection.vendor != "postgresql" or not speedups.on("token_sql"):
            return super().authenticate_credentials(key)
        sql, token_names, user_names, prelude_names = _token_sql(self.get_model())
        with speedups.repeated_cursor(connection) as cursor:
            cursor.execute(sql, [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        model = self.get_model()
        ends = len(token_names), len(token_names) + len(user_names)
        token = model.from_db(connection.alias, token_names, row[: ends[0]])
        user = model._meta.get_field("user").related_model.from_db(connection.alias, user_names, row[ends[0] : ends[1]])
        token.user = user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if prelude_names:
            request_context.keep_prelude(dict(zip(prelude_names, row[ends[1] :], strict=True)))
        return (user, token)


@functools.cache
def _token_sql(model) -> tuple[str, list[str], list[str], list[str]]:
    """(SQL with one %s for the key, the token's columns, the user's columns, the prelude's names), in the
    row's order. Built once: the apps registered their prelude queries when they started."""
    user_model = model._meta.get_field("user").related_model
    token_names = [f.attname for f in model._meta.concrete_fields]
    user_names = [f.attname for f in user_model._meta.concrete_fields]
    prelude = request_context.prelude_queries()
    extra = {f"prelude_{i}": RawSQL(sql, ()) for i, sql in enumerate(prelude.values())}  # noqa: S611 - app SQL
    qs = (
        model.objects.filter(key="")
        .annotate(**extra)
        .values_list(*token_names, *(f"user__{n}" for n in user_names), *extra)
        .order_by()
    )
    sql, params = qs.query.sql_with_params()
    assert params == ("",), params
    return sql, token_names, user_names, list(prelude)


class CredentialRefused(exceptions.APIException):
    """401 for a system's credential that is wrong, expired or revoked. (DRF's AuthenticationFailed would
    become 403 here: the first authenticator, the session's, sends no WWW-Authenticate challenge.)"""

    status_code = 401
    default_detail = _("Khóa API không hợp lệ, đã hết hạn hoặc đã bị thu hồi.")
    default_code = "authentication_failed"
    auth_header = 'Bearer realm="api"'


class ApiCredentialAuthentication(authentication.BaseAuthentication):
    """A system's credential (core.credentials): `Authorization: Bearer cqs_<key_id>_<secret>`.

    Looked at only when the header says Bearer, so a DRF token (`Token <key>`, TokenAuthentication above)
    and a session are read exactly as before. One query by the credential's unique key id. The request
    acts as the credential's service account; a read-only credential is refused (403) on any method that
    writes, whatever the view.
    """

    keyword = b"bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise CredentialRefused()
        from core import credentials

        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise CredentialRefused() from None
        credential = credentials.check(token)
        if credential is None:
            raise CredentialRefused()
        if credential.read_only and request.method not in ("GET", "HEAD", "OPTIONS"):
            raise exceptions.PermissionDenied(_("Khóa API này chỉ được dùng để đọc."))
        return (credential.account, credential)

    def authenticate_header(self, request):
        return CredentialRefused.auth_header


class ApiCredentialScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI document names the systems' credential (security scheme `apiCredential`)."""

    target_class = ApiCredentialAuthentication
    name = "apiCredential"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "cqs_<key_id>_<secret>",
            "description": "Khóa API cho hệ thống bên ngoài (manage.py api_credentials issue, hoặc trang quản trị "
            "“Khóa API cho hệ thống”); xem docs/api.md.",
        }
