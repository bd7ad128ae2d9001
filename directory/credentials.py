"""API credentials for outside systems: issue, list, rotate, revoke (the check made on every request is the
kernel's, core/credentials.py).

An issued credential acts as a service account: an official's account, without a password, holding one role
in one agency (StaffPosition), so the platform's permission rules decide what the system sees and does, as for
a person in that post. Each write is a service: keyword-only arguments, one transaction, one audit event; only
an administrator (or the server operator, actor None, from `manage.py api_credentials`) may call them. See
docs/api.md.
"""

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from core import audit
from core.credentials import DEFAULT_DAYS, MAX_DAYS, hash_secret, new_secret, token_for
from core.models import ApiCredential
from directory.choices import AccountKind, Role
from directory.models import StaffPosition, User
from directory.selectors import is_administrator

__all__ = [
    "DEFAULT_DAYS",
    "api_credential_issue",
    "api_credential_revoke",
    "api_credential_rotate",
    "api_credentials_list",
    "scope_label",
]


def _require_operator(actor) -> None:
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
        secret = new_secret()
        credential = ApiCredential.objects.create(
            name=name,
            account=account,
            key_id=key_id,
            secret_hash=hash_secret(secret),
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
    return credential, token_for(credential, secret)


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
        secret = new_secret()
        c.secret_hash = hash_secret(secret)
        c.rotated_at = now
        if expires_at is not None or c.expires_at <= now:
            c.expires_at = _expiry(expires_at, now)
        c.save(update_fields=["secret_hash", "rotated_at", "expires_at"])
        audit.record(actor=actor, action="core.api_credential_rotated", obj=c, before=before, after=_snapshot(c))
    return c, token_for(c, secret)


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
