"""API credentials for outside systems: issue, list, rotate, revoke, and the check made on every request.

A credential is `cqs_<key_id>_<secret>`: `key_id` finds the row (a unique index, one query), the secret is
compared with the stored SHA-256 in constant time. An issued credential acts as a service account: an
official's account, without a password, holding one role in one agency (directory.StaffPosition), so the
platform's permission rules decide what the system sees and does, as for a person in that post. Each write
is a service: keyword-only arguments, one transaction, one audit event; only an administrator (or the server
operator, actor None, from `manage.py api_credentials`) may call them. See docs/api.md.
"""

import datetime as dt
import hashlib
import hmac
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core import audit
from core.models import ApiCredential

PREFIX = "cqs_"
DEFAULT_DAYS = 365
MAX_DAYS = 3 * 366


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


def _token(credential: ApiCredential, secret: str) -> str:
    return f"{PREFIX}{credential.key_id}_{secret}"


def parse(token: str) -> tuple[str, str] | None:
    """(key_id, secret) of a credential's text, or None when it does not have the credential's shape."""
    if not token.startswith(PREFIX):
        return None
    key_id, sep, secret = token[len(PREFIX) :].partition("_")
    if not sep or not key_id or not secret or len(key_id) > 24:
        return None
    return key_id, secret


def check(token: str, *, now=None) -> ApiCredential | None:
    """The usable credential this text stands for (its account loaded), or None: unknown, wrong secret,
    revoked, expired, or its account disabled. One indexed query."""
    parts = parse(token)
    if parts is None:
        return None
    key_id, secret = parts
    credential = ApiCredential.objects.select_related("account").filter(key_id=key_id).first()
    if credential is None or not hmac.compare_digest(credential.secret_hash, _hash(secret)):
        return None
    if not credential.is_usable(now or timezone.now()) or not credential.account.is_active:
        return None
    return credential


def _require_operator(actor) -> None:
    from directory.selectors import is_administrator

    if actor is not None and not is_administrator(actor):
        raise PermissionDenied("Chỉ quản trị hệ thống được cấp, đổi hoặc thu hồi khóa API.")


def _expiry(expires_at, now):
    if expires_at is None:
        return now + dt.timedelta(days=DEFAULT_DAYS)
    if expires_at <= now:
        raise ValidationError({"expires_at": ["Ngày hết hạn phải ở sau thời điểm hiện tại."]})
    if expires_at > now + dt.timedelta(days=MAX_DAYS):
        raise ValidationError({"expires_at": ["Khóa API có hiệu lực tối đa 3 năm; hãy cấp lại khi hết hạn."]})
    return expires_at


def _snapshot(c: ApiCredential) -> dict:
    return {
        "name": c.name,
        "key_id": c.key_id,
        "account": c.account.username,
        "read_only": c.read_only,
        "expires_at": c.expires_at,
        "revoked_at": c.revoked_at,
        "rotated_at": c.rotated_at,
    }


def api_credential_issue(
    *, actor, name: str, agency, role: str, read_only: bool = True, expires_at=None
) -> tuple[ApiCredential, str]:
    """Issue a credential for a system acting with `role` in `agency`: a new service account holding that
    position, and a key. Returns (the credential, its full text, shown this once)."""
    from directory.choices import AccountKind, Role
    from directory.models import StaffPosition, User

    _require_operator(actor)
    name = " ".join((name or "").split())
    errors = {}
    if not name:
        errors["name"] = ["Nhập tên hệ thống dùng khóa."]
    if agency is None:
        errors["agency"] = ["Chọn cơ quan mà hệ thống thay mặt."]
    if role not in Role.values or role == Role.ADMINISTRATOR:
        errors["role"] = ["Vai trò không hợp lệ (khóa API không được giữ quyền quản trị)."]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    expires_at = _expiry(expires_at, now)
    with transaction.atomic():
        key_id = secrets.token_hex(6)
        account = User(username=f"he-thong-{key_id}", kind=AccountKind.STAFF, full_name=name[:200], is_active=True)
        account.set_unusable_password()
        account.save()
        StaffPosition.objects.create(user=account, agency=agency, role=role, title="Hệ thống kết nối qua API")
        secret = _new_secret()
        credential = ApiCredential.objects.create(
            name=name,
            account=account,
            key_id=key_id,
            secret_hash=_hash(secret),
            read_only=bool(read_only),
            expires_at=expires_at,
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="core.api_credential_issued",
            obj=credential,
            after={**_snapshot(credential), "agency": agency.code, "role": role},
        )
    return credential, _token(credential, secret)


def _locked(credential: ApiCredential) -> ApiCredential:
    return ApiCredential.objects.select_for_update().select_related("account").get(pk=credential.pk)


def api_credential_rotate(*, actor, credential: ApiCredential, expires_at=None) -> tuple[ApiCredential, str]:
    """Replace the secret of a credential in use (the old text stops working at once); optionally move its
    expiry. Returns (the credential, its new full text, shown this once). A revoked credential stays revoked."""
    _require_operator(actor)
    now = timezone.now()
    with transaction.atomic():
        c = _locked(credential)
        if c.revoked_at is not None:
            raise ValidationError("Khóa API này đã bị thu hồi; hãy cấp khóa mới.", code="revoked")
        before = _snapshot(c)
        secret = _new_secret()
        c.secret_hash = _hash(secret)
        c.rotated_at = now
        if expires_at is not None or c.expires_at <= now:
            c.expires_at = _expiry(expires_at, now)
        c.save(update_fields=["secret_hash", "rotated_at", "expires_at"])
        audit.record(actor=actor, action="core.api_credential_rotated", obj=c, before=before, after=_snapshot(c))
    return c, _token(c, secret)


def api_credential_revoke(*, actor, credential: ApiCredential) -> ApiCredential:
    """Revoke a credential: refused (401) from the next request on. Kept, with its account, as history."""
    _require_operator(actor)
    with transaction.atomic():
        c = _locked(credential)
        if c.revoked_at is not None:
            raise ValidationError("Khóa API này đã bị thu hồi trước đó.", code="already_revoked")
        before = _snapshot(c)
        c.revoked_at = timezone.now()
        c.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="core.api_credential_revoked", obj=c, before=before, after=_snapshot(c))
    return c


def api_credentials_list():
    """Every credential with its account and the account's positions (agency, role), newest first."""
    from django.db.models import Prefetch

    from directory.models import StaffPosition

    return ApiCredential.objects.select_related("account", "created_by").prefetch_related(
        Prefetch(
            "account__positions",
            queryset=StaffPosition.objects.filter(is_active=True).select_related("agency"),
            to_attr="active_positions",
        )
    )


def scope_label(credential: ApiCredential) -> str:
    """ "<role> – <agency code> <agency name>" of each active position of the credential's account."""
    positions = getattr(credential.account, "active_positions", None)
    if positions is None:
        positions = credential.account.positions.filter(is_active=True).select_related("agency")
    return "; ".join(f"{p.get_role_display()} – {p.agency.code} {p.agency.name}" for p in positions)
