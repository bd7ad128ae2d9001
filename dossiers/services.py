"""Writes of the one-stop system. Every function is one transaction with one audit event.

Each service locks the dossier row, checks the caller's right (permissions.py) and the transition
(workflow.py), changes the dossier, writes a DossierEvent (timeline) and, when the status changes, a
SyncOutbox row for the national portal, then records the audit event. Side effects (slips, mail,
SMS, national sync) run after commit. Bad input raises ValidationError with a Vietnamese message
and changes nothing; a missing right raises PermissionDenied.

Uploaded files are written to storage inside the transaction; if the transaction fails the files
written so far are deleted again (`_atomic_with_files`), so a failed submission leaves no orphan file,
no half-written dossier and no used number.
"""

import hashlib
import logging
from collections.abc import Iterable
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from catalog import routing
from catalog.choices import OnlineMode, TimeUnit, VersionStatus
from core import audit
from core import calendar as workcal
from core.identifiers import is_row_id
from core.speedups.insert import insert_together
from core.tasks import enqueue_after_commit, enqueue_all_after_commit
from core.unit_of_work import NewRows
from directory.choices import AccountKind, Role
from directory.selectors import has_role

from . import signals, sync
from .choices import CLOSED, Channel, DossierAction, DossierStatus, FileKind, ResultMethod, StepStatus
from .models import (
    CompletionRequest,
    Consultation,
    Dossier,
    DossierEvent,
    DossierFile,
    DossierRating,
    DossierStep,
    PersonalDocument,
    SupplementRequest,
)
from .numbering import allocate_code, code_computed, new_lookup_secret
from .permissions import can_answer_consultation, is_applicant, require
from .selectors import next_pending_step
from .workflow import APOLOGY_ALLOWED, STEP_MOVES_ALLOWED, check_transition, check_withdrawal_restore

logger = logging.getLogger("cqs.dossiers")

S = DossierStatus
A = DossierAction

ALLOWED_CONTENT_TYPES = ("application/pdf", "image/jpeg", "image/png")


# --------------------------------------------------------------------------------------------
# Files


@dataclass
class PreparedFile:
    upload: object  # UploadedFile / File, positioned at 0
    name: str
    content_type: str
    size: int
    sha256: str
    component_id: int | None = None
    reused_from: PersonalDocument | None = None


def max_file_bytes() -> int:
    return int(getattr(settings, "DOSSIER_MAX_FILE_MB", 10)) * 1024 * 1024


def sniff_content_type(head: bytes) -> str | None:
    """The real type from the first bytes; None when it is not PDF, JPEG or PNG."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def inspect_upload(upload, *, allowed: Iterable[str] = ALLOWED_CONTENT_TYPES) -> PreparedFile:
    """Check size and real content of one upload; raise ValidationError (Vietnamese) when unfit."""
    name = (getattr(upload, "name", "") or "tep").rsplit("/", 1)[-1][:255]
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    limit = max_file_bytes()
    if size == 0:
        raise ValidationError("Tệp “%(name)s” rỗng.", code="empty_file", params={"name": name})
    if size > limit:
        raise ValidationError(
            "Tệp “%(name)s” lớn hơn %(mb)s MB.",
            code="file_too_large",
            params={"name": name, "mb": limit // (1024 * 1024)},
        )
    upload.seek(0)
    head = upload.read(16)
    content_type = sniff_content_type(head)
    allowed = tuple(allowed)
    if content_type not in allowed:
        kinds = ", ".join({"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}[a] for a in allowed)
        raise ValidationError(
            "Tệp “%(name)s” không phải %(kinds)s (nội dung tệp đã được kiểm tra, không dựa vào tên tệp).",
            code="file_type",
            params={"name": name, "kinds": kinds},
        )
    if content_type.startswith("image/"):
        from core.images import ImageTooLarge, open_image

        upload.seek(0)
        try:
            with open_image(upload) as img:
                img.verify()
        except ImageTooLarge as too_large:
            raise ValidationError(
                "Ảnh “%(name)s” quá lớn (%(w)d × %(h)d điểm ảnh; tối đa %(mp)d triệu điểm ảnh).",
                code="file_too_large",
                params={"name": name, "w": too_large.width, "h": too_large.height, "mp": too_large.limit // 1_000_000},
            )
        except Exception:
            raise ValidationError(
                "Ảnh “%(name)s” bị hỏng hoặc không đọc được.", code="file_corrupt", params={"name": name}
            )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    return PreparedFile(upload=upload, name=name, content_type=content_type, size=size, sha256=digest.hexdigest())


@contextmanager
def _atomic_with_files(*, atomic: bool = True):
    """transaction.atomic() that deletes the files it stored if the block fails.

    `atomic=False` for a block whose database write is one statement (itself a transaction): no BEGIN
    and COMMIT around it, the files are still deleted if it fails. But when the connection broke while
    that statement ran (the database server crashed, the network was cut), no answer came and the
    statement may have committed all the same: the files are deleted only once a new connection shows
    that no row refers to them, and kept when the database cannot be asked (the nightly sweep,
    `dossiers_sweep_files`, deletes them if no row does). Deleting them blindly left a saved dossier,
    which a retry with its idempotency key then returned as filed, without its documents.

    Limitation: when called inside an outer transaction that rolls back later, the files stay
    (Django has no on-rollback hook); services are meant to be the outermost transaction.
    """
    stored: list[str] = []
    try:
        with transaction.atomic() if atomic else nullcontext():
            yield stored
    except BaseException as exc:
        if not atomic and stored and _outcome_unknown(exc) and _files_in_use(stored):
            logger.warning("the connection broke during a write that may have committed: kept %s", stored)
            raise
        for name in stored:
            try:
                default_storage.delete(name)
            except OSError:  # pragma: no cover - best effort
                logger.exception("could not delete %s after a failed transaction", name)
        raise


def _outcome_unknown(exc: BaseException) -> bool:
    """Whether a one-statement write that failed with `exc` may have committed: the connection broke, so the
    server's answer never came. An error the server sent (it has an SQLSTATE: a constraint, a shutdown that
    ended the statement) means the statement's transaction was rolled back."""
    return isinstance(exc, OperationalError | InterfaceError) and getattr(exc.__cause__, "sqlstate", None) is None


def _files_in_use(names: list[str]) -> bool:
    """Whether a committed row refers to one of the stored `names`, asked on a new connection; True when the
    database cannot be asked."""
    try:
        connection.close()  # the broken one; the query opens another
        return DossierFile.objects.filter(file__in=names).exists()
    except DatabaseError:
        return True


def _store_file(*, dossier, prepared: PreparedFile, kind: str, stored: list[str], uploaded_by) -> DossierFile:
    row = _file_row(prepared=prepared, kind=kind, stored=stored, uploaded_by=uploaded_by, dossier=dossier)
    row.save()
    return row


def _file_row(*, prepared: PreparedFile, kind: str, stored: list[str], uploaded_by, dossier=None) -> DossierFile:
    """An unsaved DossierFile whose bytes are already in storage (their name appended to `stored`)."""
    row = DossierFile(
        dossier=dossier,
        component_id=prepared.component_id,
        kind=kind,
        original_name=prepared.name,
        content_type=prepared.content_type,
        size=prepared.size,
        sha256=prepared.sha256,
        reused_from=prepared.reused_from,
        uploaded_by=uploaded_by if getattr(uploaded_by, "is_authenticated", False) else None,
    )
    if prepared.reused_from is not None:
        # Reuse: the dossier points at the same stored bytes (read-only), nothing is copied.
        row.file.name = prepared.reused_from.file.name
    else:
        prepared.upload.seek(0)
        content = prepared.upload if isinstance(prepared.upload, File) else File(prepared.upload)
        row.file.save(prepared.name, content, save=False)
        stored.append(row.file.name)
    return row


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _prepare_component_files(*, version, files, reuse, owner, require_all: bool) -> list[PreparedFile]:
    """Validate uploads and reused personal documents against the version's components."""
    components = {c.pk: c for c in version.components.all()}
    prepared: list[PreparedFile] = []
    errors: dict[str, list[str]] = {}
    for raw_id, uploads in (files or {}).items():
        try:
            component_id = int(raw_id)
        except (TypeError, ValueError):
            component_id = None
        if component_id not in components:
            raise ValidationError({"files": ["Thành phần hồ sơ không thuộc thủ tục này."]})
        for upload in _as_list(uploads):
            try:
                item = inspect_upload(upload)
            except ValidationError as exc:
                errors.setdefault(f"component_{component_id}", []).extend(exc.messages)
                continue
            item.component_id = component_id
            prepared.append(item)
    for raw_id, doc_ids in (reuse or {}).items():
        try:
            component_id = int(raw_id)
        except (TypeError, ValueError):
            component_id = None
        if component_id not in components:
            raise ValidationError({"reuse": ["Thành phần hồ sơ không thuộc thủ tục này."]})
        try:
            ids = [int(i) for i in _as_list(doc_ids)]
        except (TypeError, ValueError):
            ids = None
        if ids is None or not all(map(is_row_id, ids)):  # beyond a 64-bit id: no such row, nor a query
            raise ValidationError({"reuse": ["Mã giấy tờ trong kho dữ liệu cá nhân không hợp lệ."]})
        docs = list(PersonalDocument.objects.filter(owner=owner, pk__in=ids)) if owner is not None else []
        if len(docs) != len(set(ids)):
            raise ValidationError(
                {"reuse": ["Giấy tờ trong kho dữ liệu cá nhân không tồn tại hoặc không phải của bạn."]}
            )
        for doc in docs:
            prepared.append(
                PreparedFile(
                    upload=None,
                    name=doc.title[:255],
                    content_type=doc.content_type,
                    size=doc.size,
                    sha256=doc.sha256,
                    component_id=component_id,
                    reused_from=doc,
                )
            )
    if errors:
        raise ValidationError(errors)
    if require_all:
        supplied = {p.component_id for p in prepared}
        missing = [c.name for c in components.values() if c.required and c.pk not in supplied]
        if missing:
            raise ValidationError({"files": [f"Thiếu thành phần hồ sơ bắt buộc: {name}." for name in missing]})
    return prepared


# --------------------------------------------------------------------------------------------
# Helpers


def _actor_label(actor) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "hệ thống"
    return getattr(actor, "display_name", "") or actor.get_username()


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _lock(dossier) -> Dossier:
    """Re-read the dossier under a row lock (two officials may act at once)."""
    return (
        Dossier.objects.select_for_update(of=("self",))
        .select_related(
            "procedure_version__procedure",
            "receiving_agency",
            "competent_agency",
            "competent_agency__office_schedule",
            "current_step",
        )
        .get(pk=dossier.pk)
    )


def _snapshot(d: Dossier) -> dict:
    return {
        "status": d.status,
        "due_at": d.due_at,
        "assignee": d.assignee_id,
        "step": d.current_step_id,
        "is_late": d.is_late,
    }


def _clean(obj) -> None:
    """full_clean() without re-querying foreign keys that come from loaded objects."""
    exclude = [f.name for f in obj._meta.concrete_fields if f.is_relation]
    obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)


def _event_row(
    d: Dossier, *, action: str, actor, note: str = "", from_status: str = "", to_status: str = "", public: bool = True
) -> DossierEvent:
    """An unsaved timeline row."""
    return DossierEvent(
        dossier=d,
        action=str(action),
        actor=_user(actor),
        actor_label=_actor_label(actor),
        note=note or "",
        from_status=from_status,
        to_status=to_status,
        public=public,
    )


def _event(d: Dossier, **kwargs) -> DossierEvent:
    event = _event_row(d, **kwargs)
    insert_together(event)
    return event


def _set_status(d: Dossier, to_status: str, *, actor, action: str, note: str = "") -> None:
    """Change status (checked), with its timeline row and national-sync outbox row."""
    check_transition(d.status, to_status)
    from_status = d.status
    d.status = to_status
    d.save()
    _event(d, action=action, actor=actor, note=note, from_status=from_status, to_status=to_status)
    sync.outbox_add(d)


def _audit(d: Dossier, *, actor, action: str, before: dict | None) -> None:
    audit.record(actor=actor, action=f"dossiers.{action}", obj=d, before=before, after=_snapshot(d))


@contextmanager
def _acting(
    dossier, *, actor, action: str, to: str | None = None, check=None, atomic: bool = True, record: bool = True
):
    """The frame every action on a dossier shares, in the order of docs/conventions.md: in one transaction
    (or the caller's, `atomic=False`), lock the dossier row, check the actor's right to `action`
    (permissions.require), run the action's own precondition `check(d)`, check the transition to `to`
    against workflow.ALLOWED_TRANSITIONS, and keep the dossier's state before. The body changes the
    locked dossier it is given (status, timeline, notifications); once it ends without error the audit
    event is recorded with the state before and after (`record=False`: the service writes its own)."""
    with transaction.atomic() if atomic else nullcontext():
        d = _lock(dossier)
        require(actor, d, action)
        if check is not None:
            check(d)
        if to is not None:
            check_transition(d.status, to)
        before = _snapshot(d)
        yield d
        if record:
            _audit(d, actor=actor, action=str(action), before=before)
        signals.changed(d.pk)


def _allowed_now(dossier, *, actor, action: str, to: str) -> None:
    """The right and the transition, checked under the row lock before the files of a long upload are read,
    so a refused request stops before its files are inspected (the service checks both again with them)."""
    with _acting(dossier, actor=actor, action=action, to=to, record=False):
        pass


def _schedule(agency):
    return agency.office_schedule if agency is not None else None


def _link(d: Dossier) -> str:
    """The applicant's page of the dossier (what a notification to them links to)."""
    return reverse("dossiers:my_detail", args=[d.code])


def _notify(d: Dossier, subject: str, body: str) -> None:
    """Tell the applicant (account, or the e-mail/phone stored on the dossier). Inside the transaction."""
    rows, tasks_for = _notify_rows(d, subject, body)
    if rows:
        insert_together(rows[0], rows[1:])
        enqueue_all_after_commit(tasks_for(rows))


def _notify_rows(d: Dossier, subject: str, body: str) -> tuple[list, object]:
    """What _notify() writes, unsaved, and the function giving the deliveries once the rows are written."""
    try:
        from notifications import services
    except ImportError:
        return [], None
    try:
        rows_for, tasks_for = services.notification_rows, services.notification_tasks
    except AttributeError:
        return [], None
    if d.applicant_id is None and not (d.applicant_email or d.applicant_phone):
        return [], None
    rows = rows_for(
        user=d.applicant,
        email=d.applicant_email,
        phone=d.applicant_phone,
        subject=f"Hồ sơ {d.code}: {subject}",
        body=body,
        link=_link(d),
    )
    return rows, tasks_for


def _notify_desk(d: Dossier, subject: str, body: str) -> None:
    """Tell the receiving agency's one-stop officers (in-app) that the applicant asks something of them."""
    from directory.models import User
    from notifications.services import notify

    link = reverse("dossiers:workspace", args=[d.code])
    officers = User.objects.filter(
        positions__agency_id=d.receiving_agency_id,
        positions__is_active=True,
        positions__role=Role.ONE_STOP_OFFICER,
        is_active=True,
    ).distinct()
    for officer in officers:
        notify(user=officer, subject=f"Hồ sơ {d.code}: {subject}", body=body, link=link, channels=["inapp"])


def _issue_slip_after_commit(d: Dossier, kind: str, actor, **extra) -> None:
    from .tasks import issue_slip

    enqueue_after_commit(issue_slip, d.pk, kind, getattr(_user(actor), "pk", None), extra or None)


def _fmt(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%H:%M ngày %d/%m/%Y") if moment else ""


def _check_version_open(version) -> None:
    today = timezone.localdate()
    if (
        version.status != VersionStatus.PUBLISHED
        or version.valid_from > today
        or (version.valid_to is not None and version.valid_to <= today)
    ):
        raise ValidationError("Thủ tục này hiện không còn áp dụng.", code="version_closed")


def _validate_form(version, form_data) -> dict:
    """The content of the procedure's online form, checked by `catalog.formschema.validate`: the web form's
    rule (types, formats, patterns, lengths, ``x-validator``), for every channel; a key that is not a field
    of the form is refused. Returns the form's JSON-ready values (dates as YYYY-MM-DD, numbers as numbers)."""
    from catalog import formschema

    if form_data is None:
        form_data = {}
    if not isinstance(form_data, dict):
        raise ValidationError({"form_data": ["Dữ liệu tờ khai phải là một đối tượng JSON."]})
    cleaned, errors = formschema.validate(version.form_schema or {}, form_data, refuse_unknown=True)
    if errors:
        if "__all__" in errors:
            errors["form_data"] = errors.pop("__all__")
        raise ValidationError(errors)
    return cleaned


# --------------------------------------------------------------------------------------------
# Steps and deadlines


def _create_steps(d: Dossier) -> list[DossierStep]:
    from directory.models import OrgUnit

    version = d.procedure_version
    time_unit = version.step_time_unit  # a same-day procedure's steps have budgets in working hours
    rows = []
    for ps in version.steps.all().order_by("order"):
        agency = ps.agency or d.competent_agency
        unit = None
        if ps.unit_name:
            unit = OrgUnit.objects.filter(agency=agency, name=ps.unit_name).first()
        rows.append(
            DossierStep(
                dossier=d,
                order=ps.order,
                name=ps.name,
                role=ps.role,
                agency=agency,
                unit=unit,
                unit_name=ps.unit_name,
                budget=ps.budget,
                time_unit=time_unit,
            )
        )
    if not rows:  # a procedure without configured steps: one processing step at the competent agency
        rows.append(
            DossierStep(
                dossier=d,
                order=1,
                name="Thụ lý, giải quyết hồ sơ",
                role=Role.SPECIALIST,
                agency=d.competent_agency,
                budget=version.processing_time,
                time_unit=time_unit,
            )
        )
    return DossierStep.objects.bulk_create(rows)


def _start_step(d: Dossier, step: DossierStep, now: datetime, *, assignee=None) -> None:
    step.status = StepStatus.ACTIVE
    step.received_at = now
    if step.budget:
        step.due_at = workcal.deadline_for(now, step.budget, step.time_unit, schedule=_schedule(step.agency))
        if d.due_at is not None and d.procedure_version.time_unit == TimeUnit.SAME_WORKING_DAY:
            step.due_at = min(step.due_at, d.due_at)  # a same-day step never ends after the appointment
    else:  # no own budget (e.g. returning the result): bounded by the dossier's appointment
        step.due_at = d.due_at
    step.assignee = assignee
    step.save()
    d.current_step = step
    d.current_agency_id = step.agency_id
    d.current_unit_id = step.unit_id
    d.current_role = step.role
    d.assignee = assignee


def _finish_step(step: DossierStep, now: datetime, actor, *, status=StepStatus.DONE, note: str = "") -> None:
    step.status = status
    step.finished_at = now
    step.finished_by = _user(actor)
    step.on_time = step.due_at is None or now <= step.due_at
    if note:
        step.note = (step.note + "\n" + note).strip()
    step.save()


def _clear_current(d: Dossier) -> None:
    d.current_step = None
    d.current_agency = None
    d.current_unit = None
    d.current_role = ""
    d.assignee = None


def _next_pending(d: Dossier, after_order: int) -> DossierStep | None:
    return next_pending_step(d, after_order)


def _check_assignee(to_user, step: DossierStep):
    """The official named to hold the next step must be an active staff account holding the step's role in the
    step's agency (and unit): the list selectors.next_holder_candidates offers, whatever channel names them."""
    if to_user is None:
        return None
    if (
        not getattr(to_user, "is_active", False)
        or getattr(to_user, "kind", None) != AccountKind.STAFF
        or not has_role(to_user, step.role, agency_id=step.agency_id, unit_id=step.unit_id)
    ):
        raise ValidationError({"to_user": ["Cán bộ được chọn không giữ vai trò của bước tiếp theo tại cơ quan này."]})
    return to_user


def _start_processing(d: Dossier, now: datetime, actor) -> None:
    """Create the steps; a first step done by the desk (tiếp nhận) is finished at once by the receiver."""
    steps = _create_steps(d)
    first = steps[0]
    if first.role == Role.ONE_STOP_OFFICER and len(steps) > 1:
        _start_step(d, first, now, assignee=_user(actor))
        _finish_step(first, now, actor)
        nxt = steps[1]
        _start_step(d, nxt, now)
    else:
        _start_step(d, first, now)


# --------------------------------------------------------------------------------------------
# Submission and reception


@dataclass(frozen=True)
class Submitted:
    """What an online submission gave back: the dossier, and the rows written with it (its files and its
    timeline's first event), so that the answer is built without reading back rows that cannot be anything
    else yet. A replay (an idempotency key already used) wrote nothing: `replayed` is set and `files` and
    `events` are None, the answer reads the database."""

    dossier: Dossier
    files: list | None = None
    events: list | None = None
    replayed: bool = False

    def rows(self, name: str) -> list | None:
        """The written rows of the dossier's relation `name`; None where they must be read from the database.
        A new dossier has no slips, no supplement requests, no rating yet."""
        if self.replayed:
            return None
        return {"files": self.files, "events": self.events, "slips": [], "supplement_requests": []}.get(name)


def dossier_submit_online(**kwargs) -> Dossier:
    """`dossier_submit_online_written(...)`'s dossier, for callers that show it and read it again (pages, demo)."""
    return dossier_submit_online_written(**kwargs).dossier


def dossier_submit_online_written(
    *,
    applicant,
    procedure_version,
    form_data,
    files: dict | None = None,
    reuse: dict | None = None,
    receiving_agency=None,
    competent_agency=None,
    result_method: str = "online",
    idempotency_key: str = "",
) -> Submitted:
    """A citizen or business files a dossier online; it gets its code and waits for reception.

    `receiving_agency` and `competent_agency` (an Agency, its id or its QCVN 102 code) are checked against
    the procedure version by `catalog.routing.route` (Nghị định 118/2025/NĐ-CP): the receiving agency must be
    named when the version lists several, and the competent one follows the version's rule.

    `idempotency_key`: a retry of the same submission (an answer lost on the network, a second click) with
    the same key returns the dossier the first try filed, marked ``replayed``, and writes nothing; the key
    used for another procedure is refused. A unique constraint settles two tries racing each other.
    """
    if not getattr(applicant, "is_authenticated", False) or applicant.kind == AccountKind.STAFF:
        raise PermissionDenied("Chỉ tài khoản công dân hoặc tổ chức, doanh nghiệp mới nộp hồ sơ trực tuyến.")
    idempotency_key = (idempotency_key or "").strip()
    if len(idempotency_key) > 80:
        raise ValidationError({"idempotency_key": ["Khóa chống nộp trùng dài tối đa 80 ký tự."]})
    if idempotency_key:
        first = _submitted_with_key(applicant, idempotency_key, procedure_version)
        if first is not None:
            return Submitted(first, replayed=True)
    _check_version_open(procedure_version)
    if procedure_version.online_mode == OnlineMode.NONE:
        raise ValidationError(
            "Thủ tục này chưa được cung cấp trực tuyến; vui lòng nộp tại bộ phận một cửa.", code="not_online"
        )
    if result_method not in ResultMethod.values:
        raise ValidationError({"result_method": ["Hình thức nhận kết quả không hợp lệ."]})
    form_data = _validate_form(procedure_version, form_data)
    routed = routing.route(procedure_version, receiving=receiving_agency, competent=competent_agency)
    receiving, competent = routed.receiving, routed.competent
    prepared = _prepare_component_files(
        version=procedure_version, files=files, reuse=reuse, owner=applicant, require_all=True
    )
    # Files first, then one unit of work (core.unit_of_work.NewRows) that takes the agency's number, writes
    # the dossier with its file rows, timeline row, national-sync outbox row and the applicant's notifications,
    # and appends the audit event. The rows are built with a placeholder where the code goes; the write puts
    # the code in. On PostgreSQL with the speed-ups on that is one statement (core.speedups.insert), so the
    # counter row (which every other submission to the agency waits for) and the audit chain are locked only
    # while it runs and commits; otherwise the ORM writes the same rows in one transaction.
    now = timezone.now()
    d = Dossier(
        lookup_secret=new_lookup_secret(),
        procedure_version=procedure_version,
        applicant=applicant,
        applicant_name=applicant.display_name,
        applicant_id_number=applicant.cccd or applicant.tax_code or "",
        applicant_phone=applicant.phone or "",
        applicant_email=applicant.email or "",
        applicant_address=applicant.address or "",
        receiving_agency=receiving,
        competent_agency=competent,
        channel=Channel.ONLINE,
        status=S.SUBMITTED,
        form_data=form_data,
        submitted_at=now,
        result_method=result_method,
        created_by=applicant,
        created_at=now,
        idempotency_key=idempotency_key,
    )
    _clean(d)
    code = code_computed(agency=receiving, moment=now)
    d.code = code.token
    # One statement needs no transaction around it; inside a caller's transaction it gets a savepoint, so
    # that a failure leaves the caller's transaction usable, as with every other service.
    try:
        return _insert_online(d, code, prepared, applicant, now)
    except IntegrityError:
        first = _submitted_with_key(applicant, idempotency_key, procedure_version) if idempotency_key else None
        if first is None:
            raise
        return Submitted(first, replayed=True)  # the other try with this key committed first (its files removed)


def _insert_online(d: Dossier, code, prepared, applicant, now) -> Submitted:
    """The write of `dossier_submit_online`: files, then the dossier's new rows as one unit of work (see there)."""
    work = NewRows(d, computed=code)
    with _atomic_with_files(atomic=work.needs_transaction()) as stored:
        for item in prepared:
            row = _file_row(prepared=item, kind=FileKind.COMPONENT, stored=stored, uploaded_by=applicant)
            row.dossier = d
            work.add(row)
        event = _event_row(d, action=A.SUBMIT, actor=applicant, to_status=S.SUBMITTED)
        outbox = sync.outbox_row(d)
        notes, note_tasks = _notify_rows(
            d, "đã nộp", f"Hồ sơ {d.code} đã được nộp lúc {_fmt(now)}. Mã tra cứu: {d.lookup_secret}."
        )
        work.add(event, outbox, *notes)
        work.audit(audit.pending(actor=applicant, action="dossiers.submit", obj=d, after=_snapshot(d)))
        written = work.write()
    # the national sync and the e-mail as one job
    enqueue_all_after_commit([*sync.outbox_tasks(outbox), *(note_tasks(notes) if note_tasks else [])])
    return Submitted(d, files=written.of(DossierFile), events=[event])


def _submitted_with_key(applicant, key: str, version) -> Dossier | None:
    """The dossier this applicant already filed with this idempotency key (None if none)."""
    first = Dossier.objects.filter(applicant=applicant, idempotency_key=key).first()
    if first is None:
        return None
    if first.procedure_version_id != version.pk:
        raise ValidationError(
            {"idempotency_key": ["Khóa chống nộp trùng này đã được dùng cho một hồ sơ của thủ tục khác."]}
        )
    return first


def _appointment(d: Dossier, now: datetime) -> datetime:
    """The appointment for a dossier received at `now`: the procedure's legal time in the competent
    agency's working days (its office schedule, the holidays and the calendar's overrides); for a
    same-day procedure, the end of that working day or of the next one when received after the
    version's cut-off (core.calendar.same_working_day)."""
    version = d.procedure_version
    return workcal.deadline_for(
        now,
        version.processing_time,
        version.time_unit,
        schedule=_schedule(d.competent_agency),
        cutoff=version.same_day_cutoff,
    )


def appointment_preview(*, dossier, now: datetime | None = None) -> datetime:
    """The appointment that receiving the dossier now would give: shown at the desk, not stored."""
    return _appointment(dossier, now or timezone.now())


def _receive(d: Dossier, *, officer, now: datetime) -> None:
    d.received_at = now
    d.due_at = _appointment(d, now)
    d.original_due_at = d.due_at
    _set_status(d, S.RECEIVED, actor=officer, action=A.RECEIVE)
    _start_processing(d, now, officer)
    if _fees_due(d, officer):
        d.paused_at = now  # waiting for the applicant's payment stops the agency's clock
        _set_status(d, S.PAYMENT_REQUESTED, actor=officer, action=A.REQUEST_PAYMENT)
    else:
        _set_status(d, S.PROCESSING, actor=officer, action=A.RECEIVE)


def _fees_due(d: Dossier, actor) -> bool:
    """Create the dossier's fee obligations from its procedure's fee table; True while one is still due.

    Only a dossier that owes something waits in "payment requested": the payments app (dossiers.fees) settles it when
    the last obligation is paid, and a dossier that owed nothing (fees of 0 đồng, or everything paid
    already) would wait there for a payment that never comes. Without the payments app the fee table
    alone decides, and an officer settles the dossier by hand.
    """
    from . import fees  # the payments app registers itself there (dossiers never imports it)

    if not d.procedure_version.fees.filter(amount__gt=0).exists():
        return False  # most procedures: nothing to create, one query
    keeper = fees.keeper()
    if keeper is None:
        logger.info("no fee keeper registered (payments not installed): no fee obligations created for %s", d.code)
        return True
    obligations = keeper.create_obligations(dossier=d, actor=actor)
    return any(o.status == "due" for o in obligations)  # payments.choices.ObligationStatus.DUE


def dossier_register_counter(
    *,
    officer,
    procedure_version,
    applicant=None,
    applicant_info: dict | None = None,
    form_data=None,
    files: dict | None = None,
    channel: str = "counter",
    receiving_agency=None,
    competent_agency=None,
    result_method: str = "counter",
) -> Dossier:
    """The desk registers a dossier brought in person or by post; it is received at once.

    The receiving agency is one of the procedure's receivers where the officer is a one-stop officer (named
    when there are several); the competent agency follows the version's rule (`catalog.routing`).
    """
    if channel not in (Channel.COUNTER, Channel.POST):
        raise ValidationError({"channel": ["Kênh tiếp nhận phải là trực tiếp hoặc bưu chính."]})
    if result_method not in ResultMethod.values:
        raise ValidationError({"result_method": ["Hình thức nhận kết quả không hợp lệ."]})
    _check_version_open(procedure_version)
    receivers = routing.receivers(procedure_version)
    desk = [a for a in receivers if has_role(officer, Role.ONE_STOP_OFFICER, agency_id=a.pk)]
    if not desk:
        raise PermissionDenied("Bạn không phải cán bộ một cửa của cơ quan tiếp nhận thủ tục này.")
    if receiving_agency not in (None, "") and routing.find_agency(desk, receiving_agency) is None:
        raise PermissionDenied("Bạn không phải cán bộ một cửa của cơ quan tiếp nhận đã chọn cho thủ tục này.")
    routed = routing.route(procedure_version, receiving=receiving_agency, competent=competent_agency, candidates=desk)
    receiving, competent = routed.receiving, routed.competent
    info = dict(applicant_info or {})
    if applicant is not None:
        info.setdefault("name", applicant.display_name)
        info.setdefault("id_number", applicant.cccd or applicant.tax_code or "")
        info.setdefault("phone", applicant.phone or "")
        info.setdefault("email", applicant.email or "")
        info.setdefault("address", applicant.address or "")
    name = (info.get("name") or "").strip()
    id_number = (info.get("id_number") or "").strip()
    errors = {}
    if not name:
        errors["applicant_name"] = ["Nhập họ tên người nộp hồ sơ."]
    if id_number:
        from core.identifiers import normalize_digits, validate_cccd, validate_mst

        digits = normalize_digits(id_number)
        if len(digits) == 12 and digits.isdigit():
            # a CCCD, also as printed in groups ("044 0 95 123456"); its own message says what is wrong
            try:
                validate_cccd(digits)
                id_number = digits
            except ValidationError as exc:
                errors["applicant_id_number"] = exc.messages
        else:
            try:
                validate_mst(id_number)
            except ValidationError:
                errors["applicant_id_number"] = ["Số CCCD (12 số) hoặc mã số thuế không hợp lệ."]
    if errors:
        raise ValidationError(errors)
    form_data = _validate_form(procedure_version, form_data)
    prepared = _prepare_component_files(
        version=procedure_version, files=files, reuse=None, owner=None, require_all=False
    )
    with _atomic_with_files() as stored:
        now = timezone.now()
        d = Dossier(
            code=allocate_code(agency=receiving, moment=now),
            lookup_secret=new_lookup_secret(),
            procedure_version=procedure_version,
            applicant=applicant,
            applicant_name=name,
            applicant_id_number=id_number,
            applicant_phone=(info.get("phone") or "").strip(),
            applicant_email=(info.get("email") or "").strip(),
            applicant_address=(info.get("address") or "").strip(),
            receiving_agency=receiving,
            competent_agency=competent,
            channel=channel,
            status=S.SUBMITTED,
            form_data=form_data,
            submitted_at=now,
            result_method=result_method,
            created_by=officer,
            created_at=now,
        )
        _clean(d)
        d.save()
        for item in prepared:
            _store_file(dossier=d, prepared=item, kind=FileKind.COMPONENT, stored=stored, uploaded_by=officer)
        _event(d, action=A.REGISTER, actor=officer, to_status=S.SUBMITTED)
        sync.outbox_add(d)
        d = _lock(d)
        _receive(d, officer=officer, now=now)
        _audit(d, actor=officer, action="register", before=None)
        signals.changed(d.pk)
        _notify(
            d,
            "đã được tiếp nhận",
            f"Hồ sơ {d.code} được tiếp nhận lúc {_fmt(now)}, hẹn trả {_fmt(d.due_at)}. Mã tra cứu: {d.lookup_secret}.",
        )
        _issue_slip_after_commit(d, "receipt", officer)
    return d


def dossier_receive(*, dossier, officer) -> Dossier:
    """The desk accepts an online dossier: appointment from the calendar, steps start, receipt slip."""
    with _acting(dossier, actor=officer, action=A.RECEIVE, to=S.RECEIVED) as d:
        now = timezone.now()
        _receive(d, officer=officer, now=now)
        _notify(
            d, "đã được tiếp nhận", f"Hồ sơ {d.code} được tiếp nhận lúc {_fmt(now)}, hẹn trả kết quả {_fmt(d.due_at)}."
        )
        _issue_slip_after_commit(d, "receipt", officer)
    return d


def _required_text(value, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: [message]})
    return value


def _items(items) -> list[str]:
    if items is None:
        return []
    if isinstance(items, str):
        items = [items]
    return [str(i).strip()[:500] for i in items if str(i).strip()]


def dossier_request_completion(*, dossier, officer, reason, items=None) -> Dossier:
    """Before reception: guide the applicant to complete the dossier (phiếu hướng dẫn)."""
    reason = _required_text(reason, "reason", "Nhập nội dung cần hoàn thiện.")
    with _acting(dossier, actor=officer, action=A.REQUEST_COMPLETION) as d:
        _set_status(d, S.COMPLETION_REQUESTED, actor=officer, action=A.REQUEST_COMPLETION, note=reason)
        CompletionRequest.objects.create(dossier=d, requested_by=_user(officer), reason=reason, items=_items(items))
        _notify(d, "cần hoàn thiện", f"Hồ sơ {d.code} cần hoàn thiện: {reason}")
        _issue_slip_after_commit(d, "guidance", officer, reason=reason, items=_items(items))
    return d


def dossier_complete(
    *, dossier, applicant, files: dict | None = None, form_data=None, reuse: dict | None = None
) -> Dossier:
    """The applicant answers a completion request; the dossier goes back to the desk."""
    _allowed_now(dossier, actor=applicant, action=A.COMPLETE, to=S.SUBMITTED)
    version = dossier.procedure_version
    if form_data is not None:
        form_data = _validate_form(version, form_data)
    prepared = _prepare_component_files(
        version=version,
        files=files,
        reuse=reuse,
        owner=applicant if is_applicant(applicant, dossier) else None,
        require_all=False,
    )
    with _atomic_with_files() as stored, _acting(dossier, actor=applicant, action=A.COMPLETE, atomic=False) as d:
        if form_data is not None:
            d.form_data = form_data
        for item in prepared:
            _store_file(dossier=d, prepared=item, kind=FileKind.COMPONENT, stored=stored, uploaded_by=applicant)
        _set_status(d, S.SUBMITTED, actor=applicant, action=A.COMPLETE)
        d.completion_requests.filter(answered_at__isnull=True).update(answered_at=timezone.now())
    return d


def dossier_refuse(*, dossier, officer, reason) -> Dossier:
    """The desk refuses to receive a submitted dossier (reason required): status refused, the applicant is
    told why, and the refusal slip is issued (Phiếu từ chối tiếp nhận giải quyết hồ sơ, Thông tư 01/2018/TT-VPCP)."""
    reason = _required_text(reason, "reason", "Nhập lý do từ chối tiếp nhận.")
    with _acting(dossier, actor=officer, action=A.REFUSE) as d:
        _set_status(d, S.REFUSED, actor=officer, action=A.REFUSE, note=reason)
        _notify(d, "không được tiếp nhận", f"Hồ sơ {d.code} không được tiếp nhận. Lý do: {reason}")
        _issue_slip_after_commit(d, "refusal", officer, reason=reason)
    return d


# --------------------------------------------------------------------------------------------
# Processing steps


def _require_step_moves(d: Dossier) -> None:
    if d.status not in STEP_MOVES_ALLOWED:
        raise ValidationError(
            "Hồ sơ đang ở trạng thái “%(s)s”, không chuyển bước được.",
            code="not_processing",
            params={"s": S(d.status).label},
        )
    if d.current_step is None:
        raise ValidationError("Hồ sơ đã qua hết các bước xử lý.", code="no_current_step")


def _move_forward(d: Dossier, *, actor, to_user, note: str, action: str) -> None:
    now = timezone.now()
    current = d.current_step
    nxt = _next_pending(d, current.order)
    if nxt is None:
        raise ValidationError("Đây là bước xử lý cuối cùng; hãy cập nhật kết quả giải quyết.", code="last_step")
    _check_assignee(to_user, nxt)
    _finish_step(current, now, actor, note=note)
    _start_step(d, nxt, now, assignee=to_user)
    d.save()
    _event(d, action=action, actor=actor, note=note or f"Chuyển: {nxt.name}", public=False)


def dossier_transfer(*, dossier, actor, to_user=None, note: str = "") -> Dossier:
    """Finish the current step and start the next one (optionally assigned to an official)."""
    with _acting(dossier, actor=actor, action=A.TRANSFER, check=_require_step_moves) as d:
        _move_forward(d, actor=actor, to_user=to_user, note=(note or "").strip(), action=A.TRANSFER)
    return d


def dossier_approve(*, dossier, leader, note: str = "", to_user=None) -> Dossier:
    """A leader approves at a leader step; the dossier moves on (or waits for its result if last)."""
    with _acting(dossier, actor=leader, action=A.APPROVE, check=_require_step_moves) as d:
        note = (note or "").strip() or "Đồng ý phê duyệt."
        if _next_pending(d, d.current_step.order) is None:
            now = timezone.now()
            _finish_step(d.current_step, now, leader, note=note)
            _clear_current(d)
            d.save()
            _event(d, action=A.APPROVE, actor=leader, note=note, public=False)
        else:
            _move_forward(d, actor=leader, to_user=to_user, note=note, action=A.APPROVE)
    return d


def dossier_return_to_previous(*, dossier, actor, note) -> Dossier:
    """Send the dossier back to the previous step for rework; both steps get new rows on the sheet."""
    note = _required_text(note, "note", "Nhập lý do trả lại.")
    with _acting(dossier, actor=actor, action=A.RETURN_TO_PREVIOUS, check=_require_step_moves) as d:
        current = d.current_step
        previous = d.steps.filter(status=StepStatus.DONE, order__lt=current.order).order_by("-order", "-id").first()
        if previous is None:
            raise ValidationError("Không có bước trước để trả lại.", code="no_previous_step")
        now = timezone.now()
        _finish_step(current, now, actor, status=StepStatus.RETURNED, note=note)
        copies = []
        for src in (previous, current):
            copies.append(
                DossierStep.objects.create(
                    dossier=d,
                    order=src.order,
                    name=src.name,
                    role=src.role,
                    agency_id=src.agency_id,
                    unit_id=src.unit_id,
                    unit_name=src.unit_name,
                    budget=src.budget,
                    time_unit=src.time_unit,
                )
            )
        _start_step(d, copies[0], now, assignee=previous.finished_by)
        d.save()
        _event(d, action=A.RETURN_TO_PREVIOUS, actor=actor, note=note, public=False)
    return d


def dossier_consult(*, dossier, actor, agency, question) -> Consultation:
    """The holder of the current step asks another agency for its opinion (question required); that agency's
    officials then see the dossier and answer. The dossier stays at its step."""
    question = _required_text(question, "question", "Nhập nội dung xin ý kiến.")
    with _acting(dossier, actor=actor, action=A.CONSULT, check=_require_step_moves, record=False) as d:
        if agency is None or agency.pk in (d.competent_agency_id,):
            raise ValidationError({"agency": ["Chọn một cơ quan khác để xin ý kiến."]})
        consultation = Consultation.objects.create(dossier=d, agency=agency, question=question, asked_by=_user(actor))
        _event(d, action=A.CONSULT, actor=actor, note=f"Xin ý kiến {agency.name}: {question}", public=False)
        audit.record(
            actor=actor, action="dossiers.consult", obj=d, after={"consultation": consultation.pk, "agency": agency.pk}
        )
    return consultation


def dossier_consult_answer(*, consultation, actor, answer) -> Consultation:
    answer = _required_text(answer, "answer", "Nhập ý kiến trả lời.")
    with transaction.atomic():
        c = Consultation.objects.select_for_update().select_related("dossier").get(pk=consultation.pk)
        if not can_answer_consultation(actor, c):
            raise PermissionDenied("Bạn không thuộc cơ quan được xin ý kiến.")
        if c.answered_at is not None:
            raise ValidationError("Yêu cầu xin ý kiến này đã được trả lời.", code="already_answered")
        c.answer = answer
        c.answered_by = _user(actor)
        c.answered_at = timezone.now()
        c.save()
        _event(c.dossier, action=A.CONSULT_ANSWER, actor=actor, note=answer, public=False)
        audit.record(
            actor=actor, action="dossiers.consult_answer", obj=c.dossier, after={"consultation": c.pk, "answered": True}
        )
    return c


# --------------------------------------------------------------------------------------------
# Supplements, fees, lateness


def dossier_request_supplement(*, dossier, actor, reason, items=None) -> SupplementRequest:
    """Ask the applicant for more documents; the agency's clock stops until they answer."""
    reason = _required_text(reason, "reason", "Nhập lý do yêu cầu bổ sung.")
    with _acting(dossier, actor=actor, action=A.REQUEST_SUPPLEMENT) as d:
        now = timezone.now()
        d.paused_at = now
        d.supplement_count += 1
        if d.supplement_count > 1:
            # Decision 766: more than one supplement request counts as late.
            d.multiple_supplements = True
            d.is_late = True
        _set_status(d, S.SUPPLEMENT_REQUESTED, actor=actor, action=A.REQUEST_SUPPLEMENT, note=reason)
        request = SupplementRequest.objects.create(
            dossier=d, requested_by=_user(actor), reason=reason, items=_items(items), requested_at=now
        )
        _notify(d, "cần bổ sung giấy tờ", f"Hồ sơ {d.code} cần bổ sung: {reason}")
        _issue_slip_after_commit(d, "supplement", actor, reason=reason, items=_items(items))
    return request


def dossier_supplement(*, dossier, applicant, files=None, note: str = "", reuse: dict | None = None) -> Dossier:
    """The applicant supplies the requested documents; the clock resumes and the due date moves."""
    _allowed_now(dossier, actor=applicant, action=A.SUPPLEMENT, to=S.PROCESSING)
    version = dossier.procedure_version
    if isinstance(files, dict):
        prepared = _prepare_component_files(
            version=version,
            files=files,
            reuse=reuse,
            owner=applicant if is_applicant(applicant, dossier) else None,
            require_all=False,
        )
    else:
        prepared = [inspect_upload(f) for f in _as_list(files)]
    if not prepared and not (note or "").strip():
        raise ValidationError({"files": ["Đính kèm giấy tờ bổ sung hoặc ghi chú trả lời."]})
    with _atomic_with_files() as stored, _acting(dossier, actor=applicant, action=A.SUPPLEMENT, atomic=False) as d:
        now = timezone.now()
        for item in prepared:
            _store_file(dossier=d, prepared=item, kind=FileKind.SUPPLEMENT, stored=stored, uploaded_by=applicant)
        _resume_clock(d, now)
        request = d.supplement_requests.filter(answered_at__isnull=True).order_by("-id").first()
        if request is not None:
            request.answered_at = now
            request.answer_note = (note or "").strip()
            request.paused_hours = d._last_pause_hours
            request.save()
        _set_status(d, S.PROCESSING, actor=applicant, action=A.SUPPLEMENT, note=(note or "").strip())
        _notify(d, "đã nhận giấy tờ bổ sung", f"Hồ sơ {d.code} tiếp tục được xử lý, hẹn trả mới: {_fmt(d.due_at)}.")
    return d


def _resume_clock(d: Dossier, now: datetime) -> None:
    """Add the paused working time to the appointment and to the current step's due time."""
    hours = Decimal("0")
    if d.paused_at is not None:
        schedule = _schedule(d.competent_agency)
        hours = workcal.working_hours_between(d.paused_at, now, schedule=schedule)
        if hours > 0:
            if d.due_at is not None:
                d.due_at = workcal.add_working_hours(d.due_at, hours, schedule=schedule)
            step = d.current_step
            if step is not None and step.due_at is not None:
                step.due_at = workcal.add_working_hours(step.due_at, hours, schedule=_schedule(step.agency))
                step.save(update_fields=["due_at"])
        d.paused_hours_total = (d.paused_hours_total or Decimal("0")) + hours
        d.paused_at = None
    d._last_pause_hours = hours


def _end_pause(d: Dossier, now: datetime) -> None:
    """The dossier ends (stopped, withdrawn, processed) while its clock is paused: record the pause.

    The appointment no longer matters, so it stays as it was; the paused working time still goes
    into paused_hours_total, which the processing record and the statistics read.
    """
    if d.paused_at is not None:
        hours = workcal.working_hours_between(d.paused_at, now, schedule=_schedule(d.competent_agency))
        d.paused_hours_total = (d.paused_hours_total or Decimal("0")) + hours
        d.paused_at = None


def _require_fees(d: Dossier) -> None:
    if not d.procedure_version.fees.exists():
        raise ValidationError("Thủ tục này không có phí, lệ phí.", code="no_fees")


def dossier_request_payment(*, dossier, actor) -> Dossier:
    """Ask the applicant to pay the procedure's fees and charges (status payment requested, national status 6);
    processing resumes when payments reports every obligation paid. Refused when nothing is owed."""
    with _acting(dossier, actor=actor, action=A.REQUEST_PAYMENT, to=S.PAYMENT_REQUESTED, check=_require_fees) as d:
        if not _fees_due(d, actor):
            raise ValidationError("Hồ sơ không còn khoản phí, lệ phí nào phải nộp.", code="nothing_due")
        d.paused_at = timezone.now()
        _set_status(d, S.PAYMENT_REQUESTED, actor=actor, action=A.REQUEST_PAYMENT)
        _notify(d, "cần nộp phí, lệ phí", f"Hồ sơ {d.code}: vui lòng thực hiện nghĩa vụ tài chính.")
    return d


def dossier_payment_settled(*, dossier, actor) -> Dossier:
    """Called by payments once every obligation of the dossier is paid: processing resumes.

    The wait for the applicant's payment does not count against the agency, like a supplement wait
    (the time that belongs to the applicant; land procedures say so expressly, e.g. Nghị định
    101/2024/NĐ-CP): the clock stopped when the payment was requested (``paused_at``), and the
    appointment and the current step's due time move by the working time the dossier waited.
    """
    with transaction.atomic():
        d = _lock(dossier)
        if d.status != S.PAYMENT_REQUESTED:
            return d  # idempotent: a late or repeated callback changes nothing
        before = _snapshot(d)
        _resume_clock(d, timezone.now())
        _set_status(d, S.PROCESSING, actor=actor, action=A.PAYMENT_SETTLED)
        _audit(d, actor=actor, action="payment_settled", before=before)
        _notify(
            d,
            "đã hoàn thành nghĩa vụ tài chính",
            f"Hồ sơ {d.code} tiếp tục được xử lý, hẹn trả kết quả: {_fmt(d.due_at)}.",
        )
    return d


def dossier_apologize(*, dossier, actor, reason, new_due_at: datetime) -> Dossier:
    """A late dossier: apology slip with the reason and a new appointment, sent to the applicant."""
    reason = _required_text(reason, "reason", "Nhập lý do chậm trễ.")
    if not isinstance(new_due_at, datetime) or timezone.is_naive(new_due_at):
        raise ValidationError({"new_due_at": ["Ngày hẹn trả mới không hợp lệ."]})
    with _acting(dossier, actor=actor, action=A.APOLOGIZE) as d:
        if d.status not in APOLOGY_ALLOWED:
            raise ValidationError("Hồ sơ ở trạng thái này không cần xin lỗi, hẹn lại.", code="apology_state")
        now = timezone.now()
        if d.due_at is None or d.due_at > now + timedelta(days=2) and not d.is_late:
            raise ValidationError("Hồ sơ chưa quá hạn hoặc sắp quá hạn, không cần xin lỗi.", code="not_late")
        if new_due_at <= max(now, d.due_at):
            raise ValidationError({"new_due_at": ["Ngày hẹn trả mới phải sau hạn hiện tại và sau thời điểm này."]})
        old_due = d.due_at
        d.due_at = new_due_at
        d.apology_count += 1
        # The apology is the agency's notice that the dossier misses its appointment (Nghị định 61/2018,
        # art. 19: sent at the latest one day before it expires). It is late from then on, whenever it
        # finishes: the national index counts it against the appointment, not against the new date.
        d.is_late = True
        d.save()
        _event(d, action=A.APOLOGIZE, actor=actor, note=f"{reason} Hẹn trả mới: {_fmt(new_due_at)}.")
        sync.outbox_add(d)  # the new appointment and the late mark, for the national portal
        _notify(
            d,
            "xin lỗi và hẹn lại ngày trả kết quả",
            f"Cơ quan xin lỗi vì hồ sơ {d.code} chậm trả kết quả. Lý do: {reason}. Hẹn trả mới: {_fmt(new_due_at)}.",
        )
        _issue_slip_after_commit(
            d, "apology", actor, reason=reason, old_due_at=old_due.isoformat(), new_due_at=new_due_at.isoformat()
        )
    return d


def dossier_stop(*, dossier, actor, reason) -> Dossier:
    """Stop processing (reason required): the current step ends, a paused clock is closed, status stopped; the
    applicant is told the reason."""
    reason = _required_text(reason, "reason", "Nhập lý do dừng xử lý.")
    with _acting(dossier, actor=actor, action=A.STOP) as d:
        now = timezone.now()
        if d.current_step is not None:
            _finish_step(d.current_step, now, actor, status=StepStatus.RETURNED, note=reason)
        _clear_current(d)
        _end_pause(d, now)
        _set_status(d, S.STOPPED, actor=actor, action=A.STOP, note=reason)
        _notify(d, "dừng xử lý", f"Hồ sơ {d.code} đã dừng xử lý. Lý do: {reason}")
    return d


def dossier_request_withdrawal(*, dossier, applicant, reason) -> Dossier:
    """The applicant asks to withdraw their dossier (reason required); the desk accepts or declines it, and
    the clock keeps running meanwhile."""
    reason = _required_text(reason, "reason", "Nhập lý do rút hồ sơ.")
    with _acting(dossier, actor=applicant, action=A.REQUEST_WITHDRAWAL) as d:
        _set_status(d, S.WITHDRAWAL_REQUESTED, actor=applicant, action=A.REQUEST_WITHDRAWAL, note=reason)
        _notify_desk(
            d,
            "người nộp yêu cầu rút hồ sơ",
            f"Lý do: {reason}\nVui lòng chấp nhận hoặc không chấp nhận yêu cầu rút hồ sơ.",
        )
    return d


def _require_withdrawal_request(d: Dossier) -> None:
    if d.status != S.WITHDRAWAL_REQUESTED:
        raise ValidationError("Hồ sơ không có yêu cầu rút.", code="no_withdrawal_request")


def dossier_accept_withdrawal(*, dossier, officer) -> Dossier:
    """The desk accepts a withdrawal request: the current step ends and the dossier is stopped."""
    with _acting(dossier, actor=officer, action=A.ACCEPT_WITHDRAWAL, check=_require_withdrawal_request) as d:
        now = timezone.now()
        if d.current_step is not None:
            _finish_step(d.current_step, now, officer, status=StepStatus.RETURNED, note="Công dân rút hồ sơ.")
        _clear_current(d)
        _end_pause(d, now)
        _set_status(d, S.STOPPED, actor=officer, action=A.ACCEPT_WITHDRAWAL, note="Chấp nhận yêu cầu rút hồ sơ.")
        _notify(d, "đã rút", f"Yêu cầu rút hồ sơ {d.code} đã được chấp nhận.")
    return d


def _status_before_withdrawal(d: Dossier) -> str:
    """The status the dossier had when its (latest) withdrawal request was made: the request's timeline row."""
    return (
        d.events.filter(action=A.REQUEST_WITHDRAWAL, to_status=S.WITHDRAWAL_REQUESTED)
        .order_by("-id")
        .values_list("from_status", flat=True)
        .first()
    ) or ""


def _restore_from_withdrawal(d: Dossier, *, actor, action: str, note: str = "") -> str:
    """Put the dossier back in its status before the withdrawal request (timeline row + national sync row)."""
    to_status = _status_before_withdrawal(d)
    check_withdrawal_restore(d.status, to_status)
    from_status = d.status
    d.status = to_status
    d.save()
    _event(d, action=action, actor=actor, note=note, from_status=from_status, to_status=to_status)
    sync.outbox_add(d)
    return to_status


def dossier_decline_withdrawal(*, dossier, officer, reason) -> Dossier:
    """The desk does not accept a withdrawal request (reason required); processing simply continues.

    The dossier returns to the status it had before the request. Nothing about the deadline moves:
    the time the request was pending counted against the agency (the clock runs while a withdrawal is
    requested), and a supplement wait that was in progress (paused clock) goes on until the applicant
    answers. The applicant is told the reason.
    """
    reason = _required_text(reason, "reason", "Nhập lý do không chấp nhận yêu cầu rút hồ sơ.")
    with _acting(dossier, actor=officer, action=A.DECLINE_WITHDRAWAL, check=_require_withdrawal_request) as d:
        to_status = _restore_from_withdrawal(d, actor=officer, action=A.DECLINE_WITHDRAWAL, note=reason)
        _notify(
            d,
            "không chấp nhận yêu cầu rút hồ sơ",
            f"Yêu cầu rút hồ sơ {d.code} không được chấp nhận. Lý do: {reason} "
            f"Hồ sơ tiếp tục được giải quyết (trạng thái: {S(to_status).label}).",
        )
    return d


def dossier_cancel_withdrawal(*, dossier, applicant) -> Dossier:
    """The applicant takes back their own withdrawal request before the desk decides on it."""
    with _acting(dossier, actor=applicant, action=A.CANCEL_WITHDRAWAL, check=_require_withdrawal_request) as d:
        _restore_from_withdrawal(d, actor=applicant, action=A.CANCEL_WITHDRAWAL)
    return d


# --------------------------------------------------------------------------------------------
# Result, return, rating


def dossier_attach_result(*, dossier, actor, file=None, generate: bool = False) -> Dossier:
    """Attach the result (PDF upload) or generate it (signed PDF); the dossier becomes processed."""
    if (file is None) == (not generate):
        if file is None:
            raise ValidationError({"file": ["Đính kèm tệp kết quả (PDF) hoặc chọn tạo kết quả."]})
        raise ValidationError({"file": ["Chỉ chọn một: đính kèm tệp hoặc tạo kết quả."]})
    prepared = inspect_upload(file, allowed=("application/pdf",)) if file is not None else None
    with (
        _atomic_with_files() as stored,
        _acting(dossier, actor=actor, action=A.ATTACH_RESULT, to=S.PROCESSED, atomic=False) as d,
    ):
        now = timezone.now()
        if prepared is not None:
            _store_file(dossier=d, prepared=prepared, kind=FileKind.RESULT, stored=stored, uploaded_by=actor)
        else:
            from .tasks import issue_document

            slip = issue_document(dossier=d, kind="result", actor=actor)
            if slip is None:
                raise ValidationError(
                    "Chưa thể tạo kết quả điện tử (chức năng ký số chưa sẵn sàng); hãy đính kèm tệp PDF.",
                    code="generate_unavailable",
                )
        if d.current_step is not None:
            _finish_step(d.current_step, now, actor)
        # A remaining desk step (trả kết quả) becomes current. No processing step is left after this one
        # (permissions.can_act lets no approval be skipped).
        pending = list(d.steps.filter(status=StepStatus.PENDING).order_by("order", "id"))
        desk = next((s for s in pending if s.role == Role.ONE_STOP_OFFICER), None)
        _clear_current(d)
        if desk is not None:
            _start_step(d, desk, now)
        d.finished_at = now
        _end_pause(d, now)
        if d.due_at is not None and now > d.due_at:
            d.is_late = True
        _set_status(d, S.PROCESSED, actor=actor, action=A.ATTACH_RESULT)
        _notify(d, "đã có kết quả", f"Hồ sơ {d.code} đã giải quyết xong.")
    return d


def dossier_return_result(*, dossier, actor, method: str = "online") -> Dossier:
    """The desk returns the result of a processed dossier (online, by post or at the counter): status returned,
    the applicant may then download the result and rate the service."""
    if method not in ResultMethod.values:
        raise ValidationError({"method": ["Hình thức trả kết quả không hợp lệ."]})
    with _acting(dossier, actor=actor, action=A.RETURN_RESULT, to=S.RETURNED) as d:
        now = timezone.now()
        if d.current_step is not None:
            _finish_step(d.current_step, now, actor)
        _clear_current(d)
        d.returned_at = now
        d.result_method = method
        _set_status(d, S.RETURNED, actor=actor, action=A.RETURN_RESULT, note=ResultMethod(method).label)
        _notify(d, "đã trả kết quả", f"Kết quả hồ sơ {d.code} đã được trả ({ResultMethod(method).label}).")
    return d


def dossier_rate(*, dossier, applicant, score, comment: str = "") -> DossierRating:
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({"score": ["Mức đánh giá từ 1 đến 5."]})
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ValidationError({"comment": ["Ý kiến tối đa 2000 ký tự."]})
    with _acting(dossier, actor=applicant, action=A.RATE, record=False) as d:
        if d.status != S.RETURNED:
            raise ValidationError("Chỉ đánh giá được sau khi đã nhận kết quả.", code="not_returned")
        if DossierRating.objects.filter(dossier=d).exists():
            raise ValidationError("Bạn đã đánh giá hồ sơ này.", code="already_rated")
        rating = DossierRating(dossier=d, score=score, comment=comment)
        rating.full_clean(exclude=["dossier"])
        rating.save()
        _event(d, action=A.RATE, actor=applicant, note=f"{score}/5")
        audit.record(actor=applicant, action="dossiers.rate", obj=d, after={"score": score})
    return rating


def personal_document_add(*, owner, title, file) -> PersonalDocument:
    if not getattr(owner, "is_authenticated", False) or owner.kind == AccountKind.STAFF:
        raise PermissionDenied("Chỉ công dân, tổ chức mới có kho dữ liệu cá nhân.")
    title = _required_text(title, "title", "Nhập tên giấy tờ.")[:300]
    prepared = inspect_upload(file)
    with _atomic_with_files() as stored:
        doc = PersonalDocument(
            owner=owner, title=title, content_type=prepared.content_type, size=prepared.size, sha256=prepared.sha256
        )
        prepared.upload.seek(0)
        content = prepared.upload if isinstance(prepared.upload, File) else File(prepared.upload)
        doc.file.save(prepared.name, content, save=False)
        stored.append(doc.file.name)
        doc.save()
        audit.record(actor=owner, action="dossiers.personal_document_add", obj=doc, after={"sha256": doc.sha256})
    return doc


def dossiers_mark_late(*, now: datetime | None = None) -> int:
    """Flag open dossiers (and active steps) whose appointment has passed. Returns dossiers flagged."""
    now = now or timezone.now()
    with transaction.atomic():
        # paused_at: a withdrawal requested while a supplement or a payment was awaited keeps the clock
        # stopped. A dossier waiting for the applicant's payment is never late (its clock is stopped).
        ids = list(
            Dossier.objects.filter(
                status__in=[S.RECEIVED, S.PROCESSING, S.WITHDRAWAL_REQUESTED],
                is_late=False,
                due_at__lt=now,
                paused_at__isnull=True,
            ).values_list("id", flat=True)[:50_000]
        )
        if ids:
            Dossier.objects.filter(pk__in=ids).update(is_late=True)
            DossierStep.objects.filter(
                dossier_id__in=ids, status=StepStatus.ACTIVE, due_at__lt=now, on_time__isnull=True
            ).update(on_time=False)
            sync.outbox_add_many(
                Dossier.objects.filter(pk__in=ids).select_related(
                    "procedure_version__procedure", "receiving_agency", "competent_agency"
                )
            )
            audit.record(
                actor=None,
                action="dossiers.mark_late",
                object_type="dossiers.dossier",
                object_id="batch",
                object_repr=f"{len(ids)} hồ sơ",
                after={"ids": ids[:1000]},
            )
    return len(ids)


__all__ = [name for name in dir() if name.startswith(("dossier_", "dossiers_", "personal_document_"))] + [
    "appointment_preview",
    "inspect_upload",
    "sniff_content_type",
    "CLOSED",
]
