"""The API's parsers: DRF's, refusing input the database cannot store (NUL, lone surrogates, JSON too deep)."""

import re

from rest_framework import parsers
from rest_framework.exceptions import ParseError

# --------------------------------------------------------------------------- input that is refused
#
# Text the database cannot store, or cannot store as sent, is refused where a request is parsed, with a
# 400 in the API's error shape: a NUL character (PostgreSQL refuses it in text and jsonb columns), a lone
# UTF-16 surrogate (`"\ud800"` in JSON: not encodable as UTF-8), and JSON nested deeper than any input
# of the platform is (Python's JSON reader would run out of stack first, and each level costs memory).
# Query strings and urlencoded bodies are checked before any view by core.middleware.BadInputMiddleware.

MAX_JSON_DEPTH = 32
_SURROGATE = re.compile("[\ud800-\udfff]")
NUL_MESSAGE = "Dữ liệu gửi lên chứa ký tự NUL (\\u0000), không được chấp nhận."
SURROGATE_MESSAGE = "Dữ liệu gửi lên chứa ký tự Unicode không hợp lệ (nửa cặp thay thế UTF-16)."
DEPTH_MESSAGE = f"Dữ liệu JSON lồng nhau quá sâu (tối đa {MAX_JSON_DEPTH} tầng)."
JSON_MESSAGE = "Nội dung không phải JSON hợp lệ."


def text_problem(text: str) -> str | None:
    """Why `text` cannot be taken (NUL, lone surrogate), or None."""
    if "\x00" in text:
        return NUL_MESSAGE
    if not text.isascii() and _SURROGATE.search(text):
        return SURROGATE_MESSAGE
    return None


def json_problem(value) -> str | None:
    """Why a decoded JSON value cannot be taken (too deep, a key or string with NUL or a lone surrogate)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                return problem
        elif isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                return DEPTH_MESSAGE
            if isinstance(item, dict):
                for key, child in item.items():
                    problem = text_problem(key)
                    if problem:
                        return problem
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)
    return None


def loads(text: str | bytes):
    """json.loads that also refuses what `json_problem` names: raises ValueError with a Vietnamese message."""
    import json

    try:
        value = json.loads(text)
    except RecursionError:  # nested deeper than the interpreter's stack
        raise ValueError(DEPTH_MESSAGE) from None
    except ValueError:  # also UnicodeDecodeError for bytes that are not UTF-8
        raise ValueError(JSON_MESSAGE) from None
    problem = json_problem(value)
    if problem:
        raise ValueError(problem)
    return value


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing what `json_problem` names with a 400 (`parse_error`)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            value = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(DEPTH_MESSAGE) from None
        problem = json_problem(value)
        if problem:
            raise ParseError(problem)
        return value


def _form_problem(data, files) -> str | None:
    for key, values in data.lists():
        for text in (key, *values):
            problem = text_problem(text) if isinstance(text, str) else None
            if problem:
                return problem
    for key, uploads in files.lists():
        for text in (key, *(u.name or "" for u in uploads)):
            problem = text_problem(text)
            if problem:
                return problem
    return None


class CheckedMultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser, refusing a NUL in a text field, a field name or a file name with a 400
    (`parse_error`). The API's parser for multipart bodies (settings, and the views that name their parsers)."""

    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        problem = _form_problem(result.data, result.files)
        if problem:
            raise ParseError(problem)
        return result
