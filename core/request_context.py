"""Where the current request came from, for the audit trail, without passing requests into services."""

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
