"""Settings of the feedback app, each read with a default so the project settings need no change.

- FEEDBACK_RATE_LIMIT: (reports, seconds) per IP address and per account; default (5, 600).
- FEEDBACK_DEADLINES: working days per stage, defaults from the PAKN rules (vietnam-egov.md):
  {"triage": 2, "info_request": 5, "handle": 15, "publish": 2}.
- FEEDBACK_REOPEN_DAYS: calendar days after publication during which the reporter may ask to reopen (7).
- FEEDBACK_MAX_PHOTOS (5), FEEDBACK_MAX_PHOTO_BYTES (5 MiB), FEEDBACK_PHOTO_MAX_SIDE (2048 px).
- FEEDBACK_DUPLICATE_RADIUS_M (200) and FEEDBACK_DUPLICATE_DAYS (7) for duplicate suggestions.
- OPEN311_JURISDICTION_ID ("quangtri.gov.vn"), OPEN311_KEY_RATE_LIMIT ((600, 60) per API key).
- MAP_TILE_URL (project setting), PUBLIC_BASE_URL (project setting).
"""

from django.conf import settings

DEFAULT_DEADLINES = {"triage": 2, "info_request": 5, "handle": 15, "publish": 2}


def rate_limit() -> tuple[int, int]:
    count, seconds = getattr(settings, "FEEDBACK_RATE_LIMIT", (5, 600))
    return int(count), int(seconds)


def api_key_rate_limit() -> tuple[int, int]:
    count, seconds = getattr(settings, "OPEN311_KEY_RATE_LIMIT", (600, 60))
    return int(count), int(seconds)


def deadline_days(stage: str) -> int:
    configured = getattr(settings, "FEEDBACK_DEADLINES", {}) or {}
    return int(configured.get(stage, DEFAULT_DEADLINES[stage]))


def reopen_days() -> int:
    return int(getattr(settings, "FEEDBACK_REOPEN_DAYS", 7))


def max_photos() -> int:
    return int(getattr(settings, "FEEDBACK_MAX_PHOTOS", 5))


def max_photo_bytes() -> int:
    return int(getattr(settings, "FEEDBACK_MAX_PHOTO_BYTES", 5 * 1024 * 1024))


def photo_max_side() -> int:
    return int(getattr(settings, "FEEDBACK_PHOTO_MAX_SIDE", 2048))


def duplicate_radius_m() -> float:
    return float(getattr(settings, "FEEDBACK_DUPLICATE_RADIUS_M", 200))


def duplicate_days() -> int:
    return int(getattr(settings, "FEEDBACK_DUPLICATE_DAYS", 7))


def jurisdiction_id() -> str:
    return getattr(settings, "OPEN311_JURISDICTION_ID", "quangtri.gov.vn")


def map_tile_url() -> str:
    return getattr(settings, "MAP_TILE_URL", "") or ""


def public_base_url() -> str:
    return getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/")
