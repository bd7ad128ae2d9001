"""API authentication shared by every app."""

import functools

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from core import request_context


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication (`Authorization: Token <key>`), with its query compiled once per process.

    Every call of a system or app that holds a token reads the token and its user; building that
    two-table query through the ORM cost about a millisecond of CPU, several times what running it
    costs. On PostgreSQL the SQL the ORM made once is run directly (the driver gives the column types
    the models expect) as a prepared statement of the (persistent) connection, so the server plans it
    once per connection rather than on every call (planning took four times longer than running it);
    the same statement reads the request's prelude (core.request_context), the values other apps would
    read with a query of their own. On SQLite, whose driver returns text for dates, DRF's own query is
    used.
    """

    def authenticate_credentials(self, key):
        if connection.vendor != "postgresql":
            return super().authenticate_credentials(key)
        sql, token_names, user_names, prelude_names = _token_sql(self.get_model())
        with connection.prepared_cursor() as cursor:
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
