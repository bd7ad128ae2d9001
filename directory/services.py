"""Writes of the directory: accounts, staff positions, administrative units.

Each function is one transaction with one audit event; bad input raises ValidationError with a
Vietnamese message per field and changes nothing; who may do what is checked here.
"""

import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from core import audit
from core.identifiers import normalize_digits, validate_cccd, validate_mst

from . import history, signals, units
from .choices import AccountKind, IdentityProof, Role, SigningRight
from .models import Agency, OrgUnit, StaffPosition, User
from .selectors import has_role, is_administrator, same_person_name

PHONE_RE = re.compile(r"^(?:\+84|0)\d{9,10}$")


def _require_admin(actor) -> None:
    if not is_administrator(actor):
        raise PermissionDenied("Chỉ quản trị hệ thống được thực hiện thao tác này.")


def _require_system_or_admin(actor) -> None:
    if actor is not None:
        _require_admin(actor)


def _clean_contact(errors: dict, *, email: str, phone: str) -> tuple[str, str]:
    email = (email or "").strip().lower()
    phone = re.sub(r"[\s.\-]", "", phone or "")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = "Địa chỉ thư điện tử không hợp lệ."
    if phone and not PHONE_RE.match(phone):
        errors["phone"] = "Số điện thoại phải có dạng 0xxxxxxxxx hoặc +84xxxxxxxxx."
    return email, phone


# Django's Vietnamese catalogue lacks some password messages; ours are always Vietnamese.
PASSWORD_MESSAGES = {
    "password_too_short": "Mật khẩu quá ngắn: cần ít nhất {min_length} ký tự.",
    "password_too_common": "Mật khẩu này quá phổ biến, dễ bị đoán.",
    "password_too_similar": "Mật khẩu quá giống thông tin cá nhân (tên, số CCCD, mã số thuế, thư điện tử).",
    "password_entirely_numeric": "Mật khẩu không được chỉ gồm chữ số.",
}


def _clean_password(errors: dict, password: str, user: User) -> None:
    if not password:
        errors["password"] = ["Vui lòng nhập mật khẩu."]
        return
    try:
        validate_password(password, user)
    except ValidationError as exc:
        messages = []
        for error in exc.error_list:
            template = PASSWORD_MESSAGES.get(error.code)
            messages.append(template.format(**(error.params or {})) if template else error.messages[0])
        errors["password"] = messages


def _snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "kind": user.kind,
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "cccd": user.cccd,
        "tax_code": user.tax_code,
        "organization_name": user.organization_name,
        "is_active": user.is_active,
    }


def citizen_register(
    *, cccd: str, full_name: str, password: str, email: str = "", phone: str = "", address: str = ""
) -> User:
    """Create a citizen account identified by CCCD (the CCCD is also the login name)."""
    errors: dict = {}
    cccd = normalize_digits(cccd)
    try:
        validate_cccd(cccd)
    except ValidationError as exc:
        errors["cccd"] = exc.messages[0]
    full_name = " ".join((full_name or "").split())
    if not full_name:
        errors["full_name"] = "Vui lòng nhập họ và tên."
    email, phone = _clean_contact(errors, email=email, phone=phone)
    user = User(
        username=cccd,
        kind=AccountKind.CITIZEN,
        cccd=cccd or None,
        full_name=full_name,
        email=email,
        phone=phone,
        address=(address or "").strip(),
    )
    _clean_password(errors, password, user)
    if "cccd" not in errors and (
        User.objects.filter(cccd=cccd).exists() or User.objects.filter(username=cccd).exists()
    ):
        errors["cccd"] = "Số CCCD này đã được dùng để đăng ký tài khoản. Hãy đăng nhập hoặc lấy lại mật khẩu."
    if errors:
        raise ValidationError(errors)
    return _create_account(user, password, action="directory.citizen_registered")


def business_register(
    *,
    tax_code: str,
    organization_name: str,
    representative_name: str,
    password: str,
    email: str = "",
    phone: str = "",
    address: str = "",
) -> User:
    """Create a business/organisation account identified by its tax code (MST, also the login name)."""
    errors: dict = {}
    tax_code = (tax_code or "").strip().replace(" ", "")
    try:
        validate_mst(tax_code)
    except ValidationError as exc:
        errors["tax_code"] = exc.messages[0]
    organization_name = " ".join((organization_name or "").split())
    if not organization_name:
        errors["organization_name"] = "Vui lòng nhập tên doanh nghiệp / tổ chức."
    representative_name = " ".join((representative_name or "").split())
    if not representative_name:
        errors["representative_name"] = "Vui lòng nhập họ tên người đại diện."
    email, phone = _clean_contact(errors, email=email, phone=phone)
    user = User(
        username=tax_code,
        kind=AccountKind.BUSINESS,
        tax_code=tax_code or None,
        organization_name=organization_name,
        full_name=representative_name,
        email=email,
        phone=phone,
        address=(address or "").strip(),
    )
    _clean_password(errors, password, user)
    if "tax_code" not in errors and (
        User.objects.filter(tax_code=tax_code).exists() or User.objects.filter(username=tax_code).exists()
    ):
        errors["tax_code"] = "Mã số thuế này đã được dùng để đăng ký tài khoản. Hãy đăng nhập."
    if errors:
        raise ValidationError(errors)
    return _create_account(user, password, action="directory.business_registered")


def _create_account(user: User, password: str | None, *, action: str, actor=None) -> User:
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
            audit.record(actor=actor or user, action=action, obj=user, after=_snapshot(user))
    except IntegrityError as exc:  # a concurrent registration with the same identifier won the race
        raise ValidationError({"__all__": "Tài khoản với thông tin định danh này đã tồn tại."}) from exc
    return user


def profile_update(*, actor, user: User, email: str, phone: str, address: str) -> User:
    """A user edits their own contact details (identity fields are not editable here)."""
    if not getattr(actor, "is_authenticated", False) or actor.pk != user.pk:
        raise PermissionDenied("Bạn chỉ có thể sửa hồ sơ của chính mình.")
    errors: dict = {}
    email, phone = _clean_contact(errors, email=email, phone=phone)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = {"email": locked.email, "phone": locked.phone, "address": locked.address}
        locked.email, locked.phone, locked.address = email, phone, (address or "").strip()
        locked.full_clean(exclude=["password"])
        locked.save(update_fields=["email", "phone", "address"])
        audit.record(
            actor=actor,
            action="directory.profile_updated",
            obj=locked,
            before=before,
            after={"email": email, "phone": phone, "address": locked.address},
        )
    return locked


def staff_create(
    *, actor, username: str, full_name: str, email: str = "", phone: str = "", password: str | None = None
) -> User:
    """An administrator creates an official's account (positions are assigned separately)."""
    _require_admin(actor)
    errors: dict = {}
    username = (username or "").strip()
    if not re.match(r"^[a-z0-9._-]{3,150}$", username):
        errors["username"] = "Tên đăng nhập gồm 3–150 ký tự: chữ thường không dấu, số, dấu chấm, gạch."
    elif User.objects.filter(username=username).exists():
        errors["username"] = "Tên đăng nhập này đã tồn tại."
    full_name = " ".join((full_name or "").split())
    if not full_name:
        errors["full_name"] = "Vui lòng nhập họ và tên."
    email, phone = _clean_contact(errors, email=email, phone=phone)
    user = User(username=username, kind=AccountKind.STAFF, full_name=full_name, email=email, phone=phone)
    if password:
        _clean_password(errors, password, user)
    if errors:
        raise ValidationError(errors)
    return _create_account(user, password, action="directory.staff_created", actor=actor)


def _position_snapshot(position: StaffPosition) -> dict:
    return {
        "user": position.user.username,
        "agency": position.agency.code,
        "unit": position.unit_id,
        "role": position.role,
        "title": position.title,
        "is_active": position.is_active,
        "signing_right": position.signing_right,
        "signing_for": position.signing_for,
        "signing_collective": position.signing_collective,
    }


def position_assign(
    *, actor, user: User, agency: Agency, role: str, unit: OrgUnit | None = None, title: str = ""
) -> StaffPosition:
    """Give an official a role in an agency (and unit). Re-activates a revoked identical position."""
    _require_admin(actor)
    if role not in Role.values:
        raise ValidationError({"role": "Vai trò không hợp lệ."})
    with transaction.atomic():
        position = (
            StaffPosition.objects.select_for_update().filter(user=user, agency=agency, unit=unit, role=role).first()
        )
        before = _position_snapshot(position) if position else None
        if position is None:
            position = StaffPosition(user=user, agency=agency, unit=unit, role=role)
        elif position.is_active and position.title == (title or position.title):
            raise ValidationError({"role": "Cán bộ đã giữ vai trò này tại cơ quan / đơn vị đã chọn."})
        position.is_active = True
        position.title = title or position.title
        position.full_clean()
        position.save()
        audit.record(
            actor=actor,
            action="directory.position_assigned",
            obj=position,
            before=before,
            after=_position_snapshot(position),
        )
        signals.user_message.send(
            sender=StaffPosition,
            user=user,
            subject="Bạn được giao vai trò mới",
            body=f"Vai trò: {position.get_role_display()} – {agency.name}" + (f", {unit.name}" if unit else "") + ".",
            link="/danh-ba/ho-so-ca-nhan/",
            channels=("inapp",),
        )
    user.__dict__.pop("_cqs_grants", None)
    return position


def position_set_signing(
    *, actor, position: StaffPosition, signing_right: str, signing_for: str = "", signing_collective: str = ""
) -> StaffPosition:
    """Set who may sign for the agency and how the signer block reads (administrator only).

    Nghị định 30/2020/NĐ-CP, Điều 13: the head signs every document of the agency (no prefix), a
    deputy signs for the head (KT.), TL./TUQ. for delegated signing, Q. for an acting head; a member
    of a collective body signs on its behalf (TM. Ủy ban nhân dân). Only positions with a signing right
    receive a personal certificate and sign results (signing.services.issue_pdf, dossiers.signatory).
    """
    _require_admin(actor)
    if signing_right not in SigningRight.values:
        raise ValidationError({"signing_right": "Thẩm quyền ký không hợp lệ."})
    with transaction.atomic():
        locked = StaffPosition.objects.select_for_update().select_related("user", "agency").get(pk=position.pk)
        before = _position_snapshot(locked)
        locked.signing_right = signing_right
        locked.signing_for = (signing_for or "").strip()
        locked.signing_collective = (signing_collective or "").strip()
        locked.full_clean()
        locked.save(update_fields=["signing_right", "signing_for", "signing_collective"])
        audit.record(
            actor=actor,
            action="directory.position_signing_set",
            obj=locked,
            before=before,
            after=_position_snapshot(locked),
        )
    return locked


def position_revoke(*, actor, position: StaffPosition) -> StaffPosition:
    """End a position (kept as inactive history, never deleted: old audit events refer to it)."""
    _require_admin(actor)
    with transaction.atomic():
        locked = StaffPosition.objects.select_for_update().select_related("user", "agency").get(pk=position.pk)
        if not locked.is_active:
            raise ValidationError("Vị trí công tác này đã được thu hồi trước đó.")
        if (
            locked.role == Role.ADMINISTRATOR
            and locked.user_id == getattr(actor, "pk", None)
            and not actor.is_superuser
        ):
            raise ValidationError("Bạn không thể tự thu hồi quyền quản trị của chính mình.")
        before = _position_snapshot(locked)
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action="directory.position_revoked",
            obj=locked,
            before=before,
            after=_position_snapshot(locked),
        )
    return locked


def units_load(*, actor, province_codes: list[int]) -> units.LoadResult:
    """Load provinces and their communes from vietnam-provinces (system or administrator)."""
    _require_system_or_admin(actor)
    total = units.LoadResult()
    with transaction.atomic():
        for code in province_codes:
            total += units.load_province_units(code)
        if total.created or total.updated:
            audit.record(
                actor=actor,
                action="directory.units_loaded",
                object_type="directory.administrativeunit",
                object_repr=f"{len(province_codes)} tỉnh/thành phố",
                after={"provinces": list(province_codes), "created": total.created, "updated": total.updated},
            )
    return total


def unit_history_import(*, actor, rows: list[dict], source: str = "") -> tuple[int, int]:
    """Import historic (pre-1/7/2025) units with successor links; all rows valid or nothing changes."""
    _require_system_or_admin(actor)
    with transaction.atomic():
        parsed = history.parse_rows(rows)
        errors = [f"Dòng {row.line}: {msg}." for row in parsed for msg in row.errors]
        if errors:
            raise history.HistoryImportError(errors)
        created, updated = history.apply_rows(parsed)
        if created or updated:
            audit.record(
                actor=actor,
                action="directory.unit_history_imported",
                object_type="directory.administrativeunit",
                object_repr=source or "CSV",
                after={"rows": len(parsed), "created": created, "updated": updated, "source": source},
            )
    return created, updated


def account_confirm_identity(*, actor, account: User, proof: str, full_name: str = "") -> User:
    """Mark an account as belonging to the person whose CCCD / tax code it holds.

    - ``proof="desk"``: a one-stop officer (or an administrator) has the person's paper ID in hand and
      types the name printed on it; it must be the account's name (compared without case or diacritic
      differences), else nothing changes.
    - ``proof="vneid"``: the national identity provider vouched for the person (the seam a VNeID / national
      SSO adapter calls, as the system: ``actor=None``).

    Only a verified account can be handed dossiers registered at the desk under its number (issue of
    accounts claiming another person's CCCD at self-registration).
    """
    if proof == IdentityProof.DESK:
        if not (is_administrator(actor) or has_role(actor, Role.ONE_STOP_OFFICER)):
            raise PermissionDenied("Chỉ cán bộ một cửa hoặc quản trị hệ thống được xác minh tài khoản.")
        if not same_person_name(full_name, account.full_name or account.organization_name):
            raise ValidationError(
                {"full_name": "Họ tên trên giấy tờ không khớp với họ tên của tài khoản; tài khoản chưa được xác minh."}
            )
    elif proof == IdentityProof.VNEID:
        _require_system_or_admin(actor)
    else:
        raise ValidationError({"proof": "Cách xác minh không hợp lệ."})
    if account.kind == AccountKind.STAFF:
        raise ValidationError({"__all__": "Tài khoản cán bộ không cần xác minh theo cách này."})
    from django.utils import timezone

    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=account.pk)
        before = {
            "identity_verified_at": str(locked.identity_verified_at or ""),
            "identity_proof": locked.identity_proof,
        }
        locked.identity_verified_at = timezone.now()
        locked.identity_proof = proof
        locked.save(update_fields=["identity_verified_at", "identity_proof"])
        audit.record(
            actor=actor,
            action="directory.account_identity_confirmed",
            obj=locked,
            before=before,
            after={"identity_verified_at": str(locked.identity_verified_at), "identity_proof": proof},
        )
    return locked
