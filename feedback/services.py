"""Writes of the feedback app. One service per state change: one transaction, one audit event.

Views (pages, Open311, API) call these and nothing else to change a report, so they cannot disagree.
Services raise Django's ValidationError (bad input or transition, Vietnamese message) and
PermissionDenied (wrong person); nothing changes when they raise.
"""

import datetime as dt
import functools
import logging
import secrets
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core import audit, ratelimit
from core.tasks import enqueue_after_commit

from . import conf, deadlines, lookups, permissions, photos, signals, workflow
from .choices import CLOSED_STATUSES, AttributeType, PhotoKind, RejectReason, ReportStatus, Source
from .models import ApiKey, Category, Report, ReportEvent, ReportPhoto, RoutingRule

logger = logging.getLogger("cqs.feedback")


class RateLimited(ValidationError):
    """Too many reports from one address, account or API key in the configured window."""


# ---- helpers ---------------------------------------------------------------------------------


def _notify_reporter(report: Report, subject: str, body: str, *, follow_key: str = "") -> None:
    """Tell the reporter about a public step on the channels they gave us, once the change is committed.

    The message is written and sent by a task after commit (an RQ worker in production), so neither
    the transaction nor the audit chain's lock waits for it. `follow_key` (only at submission, for a
    reporter without an account) puts the private follow link into the message.
    """
    if report.reporter_id is None and not (report.contact_email or report.contact_phone):
        return
    link = conf.public_base_url() + reverse("feedback:detail", args=[report.token])
    if follow_key:
        link += f"?khoa={follow_key}"
    from .tasks import notify_reporter

    enqueue_after_commit(notify_reporter, report.pk, str(subject), str(body), link)


# Steps in which an official reads the report and takes responsibility for it (rejecting hides it instead).
SCREENING_ACTIONS = frozenset({"accept", "merge", "route", "start", "request_info", "forward", "resolve", "approve"})


def _snapshot(report: Report) -> dict:
    return {
        "status": report.status,
        "routed_agency": report.routed_agency_id,
        "routed_unit": report.routed_unit_id,
        "due_at": report.due_at.isoformat() if report.due_at else None,
        "rating": report.rating,
        "awaiting_screening": report.awaiting_screening,
    }


def _locked(report: Report) -> Report:
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("category", "routed_agency", "routed_unit", "reporter", "commune")
        .get(pk=report.pk)
    )


def _apply(
    report: Report,
    *,
    action: str,
    actor,
    note: str = "",
    public: bool = True,
    audit_extra: dict | None = None,
    **changes,
) -> Report:
    """Check the transition, apply `changes`, validate, save, append the event and the audit record."""
    target = workflow.check(action, report)
    before = _snapshot(report)
    from_status = report.status
    now = timezone.now()
    if target is not None:
        report.status = target
    for field, value in changes.items():
        setattr(report, field, value)
    report.is_open = report.status not in CLOSED_STATUSES
    report.updated_at = now
    if report.awaiting_screening and action in SCREENING_ACTIONS:
        report.awaiting_screening = False  # an official has now read it: its content may be shown
    report.full_clean()
    report.save()
    ReportEvent.objects.create(
        report=report,
        at=now,
        actor=actor if _is_user(actor) else None,
        action=action,
        from_status=from_status,
        to_status=report.status,
        note=note,
        is_public=public,
    )
    after = _snapshot(report)
    if audit_extra:
        after.update(audit_extra)
    audit.record(actor=actor, action=f"feedback.report_{action}", obj=report, before=before, after=after)
    signals.changed(report.pk)
    return report


def _is_user(actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


def _store_photos(report: Report, checked: list, kind: str) -> list[ReportPhoto]:
    stored = []
    for item in checked:
        public, thumb, width, height = photos.public_copies(item.data)
        photo = ReportPhoto(
            report=report, kind=kind, content_type=item.content_type, size=len(item.data), width=width, height=height
        )
        photo.original.save("original", ContentFile(item.data), save=False)
        photo.public.save("public.jpg", ContentFile(public), save=False)
        photo.thumbnail.save("thumb.jpg", ContentFile(thumb), save=False)
        photo.save()
        stored.append(photo)
    return stored


def check_rate_limit(keys: list[str], limit: tuple[int, int]) -> None:
    """Fixed-window counters in the cache (shared through Redis in production)."""
    count, seconds = limit
    for key in keys:
        allowed, _retry = ratelimit.hit(f"feedback:rate:{key}", count, seconds)
        if not allowed:
            raise RateLimited(
                _("Bạn đã gửi quá nhiều phản ánh trong thời gian ngắn. Vui lòng thử lại sau %(minutes)d phút.")
                % {"minutes": max(1, seconds // 60)}
            )


def match_routing_rule(category: Category, commune_id: int | None) -> RoutingRule | None:
    """First active rule (by order) matching the category (or its parent) and the commune."""
    for rule in lookups.routing_rules():
        if rule.matches(category, commune_id):
            return rule
    return None


def handling_due(report: Report, start: dt.datetime, agency=None) -> dt.datetime:
    days = report.category.handling_days or conf.deadline_days("handle")
    return deadlines.add_working_days(start, days, deadlines.schedule_of(agency))


def validate_attributes(category: Category, raw: dict) -> dict:
    """Check Open311 attribute answers against the category's definition; return the cleaned values."""
    raw = raw or {}
    cleaned: dict = {}
    errors = {}
    for attr in category.attributes.all():
        if not attr.variable:
            continue
        value = raw.get(attr.code)
        values = value if isinstance(value, list) else ([value] if value not in (None, "") else [])
        values = [str(v).strip() for v in values if str(v).strip()]
        if not values:
            if attr.required:
                errors[f"attribute[{attr.code}]"] = _("Thiếu thông tin bắt buộc: %(d)s") % {"d": attr.description}
            continue
        if attr.datatype == AttributeType.MULTI:
            bad = [v for v in values if v not in attr.allowed_keys()]
            if bad:
                errors[f"attribute[{attr.code}]"] = _("Giá trị không hợp lệ: %(v)s") % {"v": ", ".join(bad)}
            cleaned[attr.code] = values
            continue
        if len(values) > 1:
            errors[f"attribute[{attr.code}]"] = _("Chỉ được chọn một giá trị.")
            continue
        value = values[0]
        if attr.datatype == AttributeType.SINGLE and value not in attr.allowed_keys():
            errors[f"attribute[{attr.code}]"] = _("Giá trị không hợp lệ: %(v)s") % {"v": value}
        elif attr.datatype == AttributeType.NUMBER:
            try:
                Decimal(value)
            except InvalidOperation:
                errors[f"attribute[{attr.code}]"] = _("Phải là một số.")
        elif attr.datatype == AttributeType.DATETIME and _parse_datetime(value) is None:
            errors[f"attribute[{attr.code}]"] = _("Phải là ngày giờ dạng ISO 8601.")
        elif attr.datatype == AttributeType.STRING and "\n" in value:
            errors[f"attribute[{attr.code}]"] = _("Không được xuống dòng.")
        cleaned[attr.code] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def _parse_datetime(value: str):
    try:
        return parse_datetime(value)
    except ValueError:
        return None


def _coordinate(value, low: int, high: int, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError({field: _("Tọa độ phải là số thập phân.")})
    if not number.is_finite() or not (low <= number <= high):
        raise ValidationError({field: _("Tọa độ nằm ngoài khoảng cho phép.")})
    return number.quantize(Decimal("0.000001"))


# ---- submission ------------------------------------------------------------------------------


def report_submit(
    *,
    actor,
    category: Category,
    description: str,
    lat=None,
    long=None,
    commune=None,
    address: str = "",
    address_id: str = "",
    photo_files=(),
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    anonymous: bool = False,
    attributes: dict | None = None,
    media_url: str = "",
    ip: str | None = None,
    source: str = Source.WEB,
    api_key: ApiKey | None = None,
) -> Report:
    """File a report (web form or Open311), store metadata-free photo copies, route it by the rules."""
    if (
        category is None
        or not category.is_active
        or (not getattr(category, "_is_leaf", False) and category.children.filter(is_active=True).exists())
    ):
        raise ValidationError({"category": _("Vui lòng chọn một lĩnh vực cụ thể (cấp 2).")})
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Vui lòng mô tả vấn đề cần phản ánh.")})
    if len(description) > 4000:
        raise ValidationError({"description": _("Nội dung phản ánh tối đa 4.000 ký tự.")})
    lat_d = _coordinate(lat, -90, 90, "lat")
    long_d = _coordinate(long, -180, 180, "long")
    if (lat_d is None) != (long_d is None):
        raise ValidationError({"lat": _("Cần cả vĩ độ và kinh độ.")})
    address = (address or "").strip()
    if lat_d is None and commune is None and not address and not address_id:
        raise ValidationError({"location": _("Vui lòng chọn vị trí trên bản đồ hoặc nhập xã/phường và địa chỉ.")})
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise ValidationError({"media_url": _("Đường dẫn ảnh (media_url) không hợp lệ.")})
    clean_attributes = validate_attributes(category, attributes or {})
    checked_photos = photos.check_uploads(photo_files)
    user = actor if _is_user(actor) else None
    if api_key is not None:
        check_rate_limit([f"key:{api_key.pk}"], conf.api_key_rate_limit())
    else:
        keys = [f"ip:{ip}"] if ip else []
        if user is not None:
            keys.append(f"user:{user.pk}")
        check_rate_limit(keys, conf.rate_limit())

    if commune is None and address:
        # an address written the old way ("xã Quảng Hòa, thị xã Ba Đồn") still finds today's commune,
        # so the report is routed and counted under it (directory.addresses)
        from directory.selectors import current_commune_for_address

        commune = current_commune_for_address(address)
    now = timezone.now()
    follow_key = secrets.token_urlsafe(18)
    rule = match_routing_rule(category, commune.pk if commune else None)
    report = Report(
        source=source,
        category=category,
        description=description,
        lat=lat_d,
        long=long_d,
        commune=commune,
        address=address[:300],
        address_id=(address_id or "")[:64],
        attributes=clean_attributes,
        media_url=media_url,
        reporter=None if anonymous else user,
        is_anonymous=bool(anonymous),
        contact_name="" if anonymous else contact_name.strip()[:200],
        contact_email="" if anonymous else contact_email.strip(),
        contact_phone="" if anonymous else contact_phone.strip()[:20],
        submitter_ip=ip,
        created_at=now,
        updated_at=now,
        reporter_key_hash=permissions.key_hash(follow_key),
        triage_due_at=deadlines.add_working_days(now, conf.deadline_days("triage")),
    )
    if rule is not None:  # routed at once by the operators' standing rule (still unscreened, see README)
        report.status = ReportStatus.ROUTED
        report.routed_agency = rule.target_agency
        report.routed_unit = rule.target_unit
        report.routed_at = now
        report.due_at = handling_due(report, now, rule.target_agency)
    # Field validation of what the submitter wrote only: the category, coordinates and attributes were
    # checked above, every other value is set here, `token` is random and unique in the database, and
    # the rating constraint does not apply to a new report — the hot path of Open311 clients.
    report.full_clean(exclude=_exclude_from_submit_clean(), validate_unique=False, validate_constraints=False)
    local_day = f"{now.astimezone(timezone.get_current_timezone()):%y%m%d}"
    report.pk = _next_report_id()  # PostgreSQL: the number is known before the row is written
    if report.pk is not None:
        report.service_request_id = f"PA{local_day}-{report.pk:06d}"
    with transaction.atomic():
        report.save(force_insert=True)
        changed = []
        if not report.service_request_id:
            report.service_request_id = f"PA{local_day}-{report.pk:06d}"
            changed.append("service_request_id")
        stored = _store_photos(report, checked_photos, PhotoKind.REPORT)
        if stored and not report.media_url:
            report.media_url = conf.public_base_url() + stored[0].public.url
            changed.append("media_url")
        if changed:
            report.save(update_fields=changed)
        events = [
            ReportEvent(
                report=report,
                at=now,
                actor=user,
                action="submit",
                to_status=ReportStatus.RECEIVED,
                note=_("Tiếp nhận phản ánh."),
            )
        ]
        if rule is not None:
            target = rule.target_unit or rule.target_agency
            events.append(
                ReportEvent(
                    report=report,
                    at=now,
                    action="route",
                    from_status=ReportStatus.RECEIVED,
                    to_status=ReportStatus.ROUTED,
                    note=_("Tự động chuyển tới %(u)s.") % {"u": target},
                )
            )
        ReportEvent.objects.bulk_create(events)
        # Last statement before the commit: the audit chain's lock is held for as short a time as possible.
        audit.record(
            actor=actor,
            action="feedback.report_submit",
            obj=report,
            after={
                **_snapshot(report),
                "source": source,
                "photos": len(stored),
                "rule": rule.pk if rule else None,
                "api_key": api_key.pk if api_key else None,
            },
        )
        _notify_reporter(
            report,
            _("Đã tiếp nhận phản ánh %(id)s") % {"id": report.service_request_id},
            _("Phản ánh của bạn đã được tiếp nhận. Theo dõi kết quả tại đường dẫn sau."),
            follow_key=follow_key if user is None or anonymous else "",
        )
    report.follow_key = follow_key  # handed to the submitter once; only its hash is stored
    return report


# Values a submitter provides as text; `report_submit` sets or has already checked all other fields.
_SUBMITTED_TEXT_FIELDS = frozenset(
    {
        "description",
        "address",
        "address_id",
        "media_url",
        "contact_name",
        "contact_email",
        "contact_phone",
        "submitter_ip",
    }
)


@functools.cache
def _exclude_from_submit_clean() -> tuple[str, ...]:
    return tuple(f.name for f in Report._meta.fields if f.name not in _SUBMITTED_TEXT_FIELDS)


def _next_report_id() -> int | None:
    """The next report id from the table's sequence (PostgreSQL), so the row is written once."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('feedback_report', 'id'))")
        return cursor.fetchone()[0]


# ---- triage (operator) -----------------------------------------------------------------------


def _require_operator(actor) -> None:
    if not permissions.is_operator(actor):
        raise PermissionDenied(_("Chỉ cán bộ tiếp nhận phản ánh mới thực hiện được thao tác này."))


def report_accept(*, actor, report: Report, note: str = "") -> Report:
    _require_operator(actor)
    with transaction.atomic():
        report = _locked(report)
        report = _apply(report, action="accept", actor=actor, note=note or _("Phản ánh hợp lệ, đang chuyển xử lý."))
        _notify_reporter(
            report,
            _("Phản ánh %(id)s đã được xác nhận") % {"id": report.service_request_id},
            _("Phản ánh của bạn hợp lệ và đang được chuyển tới đơn vị có thẩm quyền."),
        )
        return report


def report_reject(*, actor, report: Report, reason: str, note: str = "") -> Report:
    _require_operator(actor)
    if reason not in RejectReason.values:
        raise ValidationError({"reason": _("Vui lòng chọn lý do không xử lý.")})
    note = (note or "").strip()
    if reason == RejectReason.OUT_OF_SCOPE and not note:
        raise ValidationError({"note": _("Vui lòng nêu lý do và nơi có thẩm quyền giải quyết.")})
    with transaction.atomic():
        report = _locked(report)
        label = RejectReason(reason).label
        report = _apply(
            report,
            action="reject",
            actor=actor,
            note=f"{label}. {note}".strip(),
            public=reason != RejectReason.SPAM,
            reject_reason=reason,
            status_note=f"{label}. {note}".strip()[:500],
        )
        if reason != RejectReason.SPAM:
            _notify_reporter(
                report, _("Phản ánh %(id)s không được xử lý") % {"id": report.service_request_id}, report.status_note
            )
        return report


def report_merge(*, actor, report: Report, into: Report, note: str = "") -> Report:
    _require_operator(actor)
    if into is None or into.pk == report.pk:
        raise ValidationError({"into": _("Vui lòng chọn một phản ánh khác để gộp vào.")})
    with transaction.atomic():
        report = _locked(report)
        into = Report.objects.select_for_update().get(pk=into.pk)
        if into.status in (ReportStatus.REJECTED, ReportStatus.MERGED):
            raise ValidationError({"into": _("Không thể gộp vào phản ánh đã bị loại hoặc đã được gộp.")})
        text = _("Trùng với phản ánh %(id)s; theo dõi kết quả tại phản ánh đó.") % {"id": into.service_request_id}
        report = _apply(
            report, action="merge", actor=actor, note=(note or text), merged_into=into, status_note=text[:500]
        )
        _notify_reporter(report, _("Phản ánh %(id)s đã được gộp") % {"id": report.service_request_id}, text)
        return report


def report_route(*, actor, report: Report, agency, unit=None, note: str = "") -> Report:
    _require_operator(actor)
    return _route(actor=actor, report=report, agency=agency, unit=unit, note=note, action="route")


def _route(*, actor, report, agency, unit, note, action):
    if agency is None:
        raise ValidationError({"agency": _("Vui lòng chọn cơ quan xử lý.")})
    if unit is not None and unit.agency_id != agency.pk:
        raise ValidationError({"unit": _("Đơn vị phải thuộc cơ quan đã chọn.")})
    with transaction.atomic():
        report = _locked(report)
        if action == "forward":
            _require_handler(actor, report)
            if agency.pk == report.routed_agency_id and (unit.pk if unit else None) == report.routed_unit_id:
                raise ValidationError({"agency": _("Phản ánh đang ở chính đơn vị này.")})
        now = timezone.now()
        changes = {"routed_agency": agency, "routed_unit": unit, "routed_at": now, "pending_question": ""}
        if report.due_at is None or report.status == ReportStatus.REOPENED:
            changes["due_at"] = handling_due(report, now, agency)
        target = unit or agency
        report = _apply(
            report,
            action=action,
            actor=actor,
            note=(_("Chuyển tới %(u)s.") % {"u": target}) + (f" {note}" if note else ""),
            status_note=(_("Đang chuyển tới %(u)s xử lý.") % {"u": target})[:500],
            **changes,
        )
        _notify_reporter(
            report,
            _("Phản ánh %(id)s đã được chuyển xử lý") % {"id": report.service_request_id},
            _("Phản ánh của bạn đã được chuyển tới %(u)s; hạn xử lý %(d)s.")
            % {"u": target, "d": timezone.localtime(report.due_at).strftime("%d/%m/%Y")},
        )
        return report


# ---- handling (unit) -------------------------------------------------------------------------


def _require_reporter(actor, report, message, reporter_key: str = "") -> None:
    if not permissions.is_reporter(actor, report, reporter_key):
        raise PermissionDenied(message)


def _require_handler(actor, report) -> None:
    if not permissions.can_handle(actor, report):
        raise PermissionDenied(_("Phản ánh này không được giao cho đơn vị của bạn."))


def report_start(*, actor, report: Report) -> Report:
    with transaction.atomic():
        report = _locked(report)
        _require_handler(actor, report)
        report = _apply(
            report, action="start", actor=actor, note=_("Đơn vị bắt đầu xử lý."), status_note=_("Đang xử lý.")
        )
        _notify_reporter(
            report,
            _("Phản ánh %(id)s đang được xử lý") % {"id": report.service_request_id},
            _("%(u)s đã nhận xử lý phản ánh của bạn.") % {"u": report.routed_unit or report.routed_agency},
        )
        return report


def report_request_info(*, actor, report: Report, question: str) -> Report:
    question = (question or "").strip()
    if not question:
        raise ValidationError({"question": _("Vui lòng nêu thông tin cần bổ sung.")})
    with transaction.atomic():
        report = _locked(report)
        _require_handler(actor, report)
        report = _apply(
            report,
            action="request_info",
            actor=actor,
            note=question,
            pending_question=question,
            status_note=_("Đề nghị người phản ánh bổ sung thông tin.")[:500],
        )
        _notify_reporter(
            report, _("Đề nghị bổ sung thông tin cho phản ánh %(id)s") % {"id": report.service_request_id}, question
        )
        return report


def report_answer_info(*, actor, report: Report, answer: str, photo_files=(), reporter_key: str = "") -> Report:
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Vui lòng nhập nội dung bổ sung.")})
    checked = photos.check_uploads(photo_files)
    with transaction.atomic():
        report = _locked(report)
        _require_reporter(actor, report, _("Chỉ người gửi phản ánh mới bổ sung được thông tin."), reporter_key)
        if report.photos.count() + len(checked) > conf.max_photos() * 2:
            raise ValidationError({"photos": _("Phản ánh đã có quá nhiều ảnh.")})
        report = _apply(
            report,
            action="answer_info",
            actor=actor,
            note=answer,
            pending_question="",
            status_note=_("Người phản ánh đã bổ sung thông tin; đang xử lý.")[:500],
        )
        _store_photos(report, checked, PhotoKind.REPORT)
        return report


def report_forward(*, actor, report: Report, agency, unit=None, note: str = "") -> Report:
    return _route(actor=actor, report=report, agency=agency, unit=unit, note=note, action="forward")


def report_resolve(*, actor, report: Report, resolution: str, photo_files=()) -> Report:
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": _("Vui lòng nhập kết quả xử lý.")})
    checked = photos.check_uploads(photo_files)
    with transaction.atomic():
        report = _locked(report)
        _require_handler(actor, report)
        now = timezone.now()
        report = _apply(
            report,
            action="resolve",
            actor=actor,
            note=_("Đơn vị báo cáo kết quả xử lý."),
            public=False,
            resolution=resolution,
            resolved_at=now,
            publish_due_at=deadlines.add_working_days(
                now, conf.deadline_days("publish"), deadlines.schedule_of(report.routed_agency)
            ),
            status_note=_("Đã xử lý, chờ lãnh đạo phê duyệt.")[:500],
        )
        _store_photos(report, checked, PhotoKind.RESOLUTION)
        return report


# ---- approval (leader) -----------------------------------------------------------------------


def _require_leader(actor, report) -> None:
    if not permissions.can_approve(actor, report):
        raise PermissionDenied(_("Chỉ lãnh đạo đơn vị xử lý mới phê duyệt được kết quả."))


def report_approve(*, actor, report: Report, note: str = "") -> Report:
    with transaction.atomic():
        report = _locked(report)
        _require_leader(actor, report)
        now = timezone.now()
        report = _apply(
            report,
            action="approve",
            actor=actor,
            note=report.resolution,
            published_at=now,
            status_note=_("Đã xử lý xong và công khai kết quả.")[:500],
            audit_extra={"note": note} if note else None,
        )
        _notify_reporter(
            report,
            _("Phản ánh %(id)s đã có kết quả") % {"id": report.service_request_id},
            _("Kết quả xử lý: %(r)s\nMời bạn đánh giá mức độ hài lòng.") % {"r": report.resolution},
        )
        return report


def report_return(*, actor, report: Report, note: str) -> Report:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Vui lòng nêu lý do trả lại.")})
    with transaction.atomic():
        report = _locked(report)
        _require_leader(actor, report)
        return _apply(
            report,
            action="return",
            actor=actor,
            note=note,
            public=False,
            resolved_at=None,
            publish_due_at=None,
            status_note=_("Đang xử lý.")[:500],
        )


# ---- reporter after publication --------------------------------------------------------------


def report_rate(*, actor, report: Report, rating, comment: str = "", reporter_key: str = "") -> Report:
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Mức đánh giá từ 1 đến 5 sao.")})
    with transaction.atomic():
        report = _locked(report)
        _require_reporter(actor, report, _("Chỉ người gửi phản ánh mới đánh giá được."), reporter_key)
        if report.rating is not None:
            raise ValidationError({"rating": _("Bạn đã đánh giá phản ánh này.")})
        return _apply(
            report,
            action="rate",
            actor=actor,
            note=_("Người phản ánh đánh giá %(n)d/5.") % {"n": rating},
            rating=rating,
            rating_comment=(comment or "").strip()[:1000],
            rated_at=timezone.now(),
        )


def report_reopen(*, actor, report: Report, reason: str, reporter_key: str = "") -> Report:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Vui lòng nêu lý do chưa hài lòng.")})
    with transaction.atomic():
        report = _locked(report)
        _require_reporter(actor, report, _("Chỉ người gửi phản ánh mới yêu cầu mở lại được."), reporter_key)
        if report.published_at and timezone.now() > report.published_at + dt.timedelta(days=conf.reopen_days()):
            raise ValidationError(
                {
                    "reason": _("Đã quá %(n)d ngày kể từ khi công khai kết quả, không thể mở lại.")
                    % {"n": conf.reopen_days()}
                }
            )
        return _apply(
            report,
            action="reopen",
            actor=actor,
            note=reason,
            reopen_count=report.reopen_count + 1,
            resolved_at=None,
            publish_due_at=None,
            status_note=_("Người phản ánh chưa hài lòng, đề nghị xem xét lại.")[:500],
        )


# ---- Open311 clients -------------------------------------------------------------------------


def api_key_create(*, actor, name: str, owner: str = "", contact_email: str = "") -> ApiKey:
    if not permissions.is_operator(actor):
        raise PermissionDenied(_("Không có quyền cấp khóa API."))
    with transaction.atomic():
        key = ApiKey(name=name, owner=owner, contact_email=contact_email)
        key.full_clean()
        key.save()
        audit.record(actor=actor, action="feedback.api_key_create", obj=key, after={"name": name, "owner": owner})
        return key
