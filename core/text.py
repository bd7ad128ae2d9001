"""Vietnamese text folding for search.

Every search in the platform compares folded text: diacritics removed, đ/Đ → d, case folded and
white space collapsed, so that "dang ky khai sinh" finds "Đăng ký khai sinh".
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_D_TABLE = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})


def fold(text: str | None) -> str:
    """Return `text` without diacritics, with đ→d, case-folded and with single spaces."""
    if not text:
        return ""
    text = text.translate(_D_TABLE)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def fold_terms(query: str | None) -> list[str]:
    """Split a query into folded words, dropping empty ones."""
    return [t for t in fold(query).split(" ") if t]
