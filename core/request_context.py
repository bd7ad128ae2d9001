"""Where the current request came from, for the audit trail, without passing requests into services.

Also the request's prelude: small values that apps would otherwise read with a query of their own at the
start of every request, read instead with the request's authentication query (one round trip instead of
several). An app registers a scalar SQL query under a name when it starts (`register_prelude`);
`core.authentication` adds the registered queries to its token query and keeps their values for the rest
of the request; the app asks `prelude(name)` and falls back to its own query when the value is not there
(no middleware, another authentication, outside a request). A value is what the database held when the
request was authenticated; an app that changes it during the request calls `forget_prelude(name)`.
"""

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestInfo:
    ip_address: str | None = None
    user_agent: str = ""


_EMPTY = RequestInfo()
_current: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar("cqs_request", default=None)


def current() -> RequestInfo:
    return _current.get() or _EMPTY


def set_current(info: RequestInfo) -> contextvars.Token:
    return _current.set(info)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)


# -------------------------------------------------------------------------------------------- prelude

MISSING = object()
_PRELUDE_SQL: dict[str, str] = {}
_prelude: contextvars.ContextVar[dict | None] = contextvars.ContextVar("cqs_prelude", default=None)


def register_prelude(name: str, sql: str) -> None:
    """Read `sql` (one row, one column; no parameters, no '%') with each request's authentication query."""
    if "%" in sql:
        raise ValueError("a prelude query takes no parameters")
    _PRELUDE_SQL[name] = sql


def prelude_queries() -> dict[str, str]:
    return dict(_PRELUDE_SQL)


def open_prelude() -> contextvars.Token:
    """Start a request's prelude (the middleware); the values come with its authentication."""
    return _prelude.set({})


def close_prelude(token: contextvars.Token) -> None:
    _prelude.reset(token)


def keep_prelude(values: dict) -> None:
    """The values read with this request's authentication (ignored outside a request)."""
    held = _prelude.get()
    if held is not None:
        held.update(values)


def prelude(name: str):
    """The value of `name` read with this request's authentication, or MISSING."""
    held = _prelude.get()
    return MISSING if held is None else held.get(name, MISSING)


def forget_prelude(name: str) -> None:
    held = _prelude.get()
    if held is not None:
        held.pop(name, None)
