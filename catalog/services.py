"""Writes to the procedure catalogue. Every change is one transaction with one audit event.

A published version is never edited: a change publishes a new version (number + 1) copied from
the current one with its components, fees, steps and agencies, and the old version is retired
(``valid_to`` set). Dossiers point at the version they were filed under, so they keep it.

Content is passed as plain values (the same shape catalog/io.py reads from JSON/XLSX):

    name, level, applicant_kind, online_mode, description, requirements, form_schema,
    processing_time, time_unit, same_day_cutoff ("HH:MM", the same-day rule's cut-off), result_name,
    legal_basis, note, competent_agency_rule (catalog.routing),
    competent_agencies: [Agency | agency code], receiving_agencies: [...] (empty = the competent ones),
    components: [{name, required, originals, copies, electronic_copy_accepted, template_name}],
    fees: [{kind, name, amount, note}],
    steps: [{name, role, budget, agency (Agency | code | None), unit_name}]   (ordered)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from directory.models import Agency
from directory.selectors import is_administrator

from .choices import ApplicantKind, CompetentAgencyRule, TimeUnit, VersionStatus
from .formschema import normalize_schema
from .models import (
    SAME_DAY_CUTOFF,
    CatalogImport,
    DossierComponent,
    Fee,
    Field,
    Procedure,
    ProcedureVersion,
    ProcessStep,
)

SCALAR_FIELDS = (
    "name",
    "level",
    "applicant_kind",
    "online_mode",
    "description",
    "requirements",
    "form_schema",
    "processing_time",
    "time_unit",
    "same_day_cutoff",
    "result_name",
    "legal_basis",
    "note",
    "competent_agency_rule",
)
LIST_FIELDS = ("competent_agencies", "receiving_agencies", "components", "fees", "steps")
CONTENT_FIELDS = SCALAR_FIELDS + LIST_FIELDS
_DEFAULTS = {
    "applicant_kind": ApplicantKind.BOTH,
    "description": "",
    "requirements": "",
    "form_schema": {},
    "time_unit": TimeUnit.WORKING_DAYS,
    "same_day_cutoff": SAME_DAY_CUTOFF,
    "legal_basis": "",
    "note": "",
    "competent_agency_rule": CompetentAgencyRule.CHOSEN,
}


# --------------------------------------------------------------------------- helpers


def _dec(value, default=None) -> Decimal | None:
    if value is None or value == "":
        return default
    try:
        return Decimal(str(value).replace(",", "."))
    except (InvalidOperation, ValueError):
        return None


def _agency_code(value) -> str:
    if isinstance(value, Agency):
        return value.code
    return str(value).strip()


def _bool(value, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "x", "có", "co", "yes", "on")
    return bool(value)


def _time(value, default: dt.time) -> dt.time | str:
    """A time of day from a time or "HH:MM[:SS]"; left as is when unreadable (full_clean() reports it)."""
    if value is None or value == "":
        return default
    if isinstance(value, dt.time):
        return value.replace(microsecond=0)
    try:
        return dt.time.fromisoformat(str(value).strip())
    except ValueError:
        return value


def _int(value, default: int = 0):
    if value is None or value == "":
        return default
    try:
        return int(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return value  # left as is: full_clean() reports it


def canonical_content(content: dict) -> dict:
    """Content with defaults filled and values in one canonical form (agency codes, Decimals).

    Two contents are the same procedure version exactly when their canonical forms are equal.
    """
    out = {key: content.get(key, _DEFAULTS.get(key, "")) for key in SCALAR_FIELDS}
    for key in ("name", "description", "requirements", "result_name", "legal_basis", "note"):
        out[key] = (out[key] or "").strip()
    out["processing_time"] = _dec(out["processing_time"], out["processing_time"])
    out["same_day_cutoff"] = _time(out["same_day_cutoff"], SAME_DAY_CUTOFF)
    out["competent_agency_rule"] = out["competent_agency_rule"] or CompetentAgencyRule.CHOSEN
    out["form_schema"] = (
        normalize_schema(out["form_schema"] or {}) if isinstance(out["form_schema"], dict) else out["form_schema"]
    )
    out["competent_agencies"] = sorted({_agency_code(a) for a in content.get("competent_agencies") or []})
    out["receiving_agencies"] = sorted({_agency_code(a) for a in content.get("receiving_agencies") or []}) or list(
        out["competent_agencies"]
    )
    out["components"] = [
        {
            "name": (c.get("name") or "").strip(),
            "required": _bool(c.get("required"), True),
            "originals": _int(c.get("originals")),
            "copies": _int(c.get("copies")),
            "electronic_copy_accepted": _bool(c.get("electronic_copy_accepted"), True),
            "template_name": (c.get("template_name") or "").strip(),
        }
        for c in content.get("components") or []
    ]
    out["fees"] = [
        {
            "kind": c.get("kind") or "",
            "name": (c.get("name") or "").strip(),
            "amount": _dec(c.get("amount"), c.get("amount")),
            "note": (c.get("note") or "").strip(),
        }
        for c in content.get("fees") or []
    ]
    out["steps"] = [
        {
            "name": (c.get("name") or "").strip(),
            "role": c.get("role") or "",
            "budget": _dec(c.get("budget"), c.get("budget")),
            "agency": _agency_code(c["agency"]) if c.get("agency") else None,
            "unit_name": (c.get("unit_name") or "").strip(),
        }
        for c in content.get("steps") or []
    ]
    return out


def version_content(version: ProcedureVersion) -> dict:
    """The canonical content of a stored version (uses prefetched relations when present)."""
    return canonical_content(
        {
            **{key: getattr(version, key) for key in SCALAR_FIELDS},
            "competent_agencies": [a.code for a in version.competent_agencies.all()],
            "receiving_agencies": [a.code for a in version.receiving_agencies.all()],
            "components": [
                {
                    "name": c.name,
                    "required": c.required,
                    "originals": c.originals,
                    "copies": c.copies,
                    "electronic_copy_accepted": c.electronic_copy_accepted,
                    "template_name": c.template_name,
                }
                for c in version.components.all()
            ],
            "fees": [{"kind": f.kind, "name": f.name, "amount": f.amount, "note": f.note} for f in version.fees.all()],
            "steps": [
                {
                    "name": s.name,
                    "role": s.role,
                    "budget": s.budget,
                    "agency": s.agency.code if s.agency_id else None,
                    "unit_name": s.unit_name,
                }
                for s in version.steps.all()
            ],
        }
    )


def _summary(version: ProcedureVersion) -> dict:
    return {
        "version": version.number,
        "name": version.name,
        "status": version.status,
        "online_mode": version.online_mode,
        "processing_time": str(version.processing_time),
        "time_unit": version.time_unit,
        "same_day_cutoff": version.same_day_cutoff.strftime("%H:%M"),
        "competent_agency_rule": version.competent_agency_rule,
        "valid_from": version.valid_from.isoformat(),
    }


def _check_editor(actor) -> None:
    """Only administrators (or the system itself: actor None, e.g. a management command) edit the catalogue."""
    if actor is not None and not is_administrator(actor):
        raise PermissionDenied(_("Chỉ quản trị hệ thống mới được cập nhật danh mục thủ tục."))


def _resolve_agencies(codes: list[str], errors: dict, key: str) -> dict[str, Agency]:
    found = {a.code: a for a in Agency.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        errors.setdefault(key, []).append(_("Không có cơ quan với mã: %(codes)s.") % {"codes": ", ".join(missing)})
    return found


def _build_version(procedure: Procedure, number: int, content: dict, valid_from: dt.date) -> ProcedureVersion:
    """Create a published version with its children from canonical `content`; validate everything first."""
    errors: dict[str, list[str]] = {}
    step_agency_codes = [s["agency"] for s in content["steps"] if s["agency"]]
    agencies = _resolve_agencies(
        sorted(set(content["competent_agencies"]) | set(content["receiving_agencies"]) | set(step_agency_codes)),
        errors,
        "competent_agencies",
    )
    if not content["competent_agencies"]:
        errors.setdefault("competent_agencies", []).append(_("Cần ít nhất một cơ quan có thẩm quyền giải quyết."))
    for message in routing_problems(content):
        errors.setdefault("competent_agency_rule", []).append(message)
    version = ProcedureVersion(
        procedure=procedure,
        number=number,
        status=VersionStatus.PUBLISHED,
        valid_from=valid_from,
        **{key: content[key] for key in SCALAR_FIELDS},
    )
    try:
        version.full_clean(exclude=["procedure"], validate_constraints=False)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    children: list = []
    for i, data in enumerate(content["components"], start=1):
        children.append(("components", i, DossierComponent(order=i, **data)))
    for i, data in enumerate(content["fees"], start=1):
        children.append(("fees", i, Fee(**data)))
    for i, data in enumerate(content["steps"], start=1):
        children.append(("steps", i, ProcessStep(order=i, **{**data, "agency": agencies.get(data["agency"])})))
    for key, i, obj in children:
        try:
            obj.full_clean(exclude=["version"], validate_constraints=False)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(f"#{i} {field}: {m}" for m in messages)
    budgets = [s["budget"] for s in content["steps"] if isinstance(s["budget"], Decimal)]
    limit = content["processing_time"]
    if isinstance(limit, Decimal) and budgets and sum(budgets) > limit:
        errors.setdefault("steps", []).append(
            _("Tổng thời gian các bước (%(total)s) vượt quá thời hạn giải quyết theo quy định (%(limit)s %(unit)s).")
            % {
                "total": _fmt(sum(budgets)),
                "limit": _fmt(limit),
                "unit": _step_unit_label(content["time_unit"]),
            }
        )
    if errors:
        raise ValidationError(errors)
    version.save()
    version.competent_agencies.set([agencies[c] for c in content["competent_agencies"]])
    version.receiving_agencies.set([agencies[c] for c in content["receiving_agencies"]])
    for _key, _i, obj in children:
        obj.version = version
    DossierComponent.objects.bulk_create([o for k, _i, o in children if k == "components"])
    Fee.objects.bulk_create([o for k, _i, o in children if k == "fees"])
    ProcessStep.objects.bulk_create([o for k, _i, o in children if k == "steps"])
    return version


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _step_unit_label(unit: str) -> str:
    if unit == TimeUnit.SAME_WORKING_DAY:
        return str(TimeUnit.WORKING_HOURS.label)
    return str(TimeUnit(unit).label) if unit in TimeUnit.values else str(unit)


def routing_problems(content: dict) -> list[str]:
    """What the competent-agency rule (catalog.routing) needs of the agency lists, in Vietnamese."""
    rule = content.get("competent_agency_rule")
    competent = set(content.get("competent_agencies") or [])
    receiving = set(content.get("receiving_agencies") or []) or competent
    if rule == CompetentAgencyRule.FIXED and len(competent) > 1:
        return [_("Quy tắc “cố định” cần đúng một cơ quan có thẩm quyền giải quyết.")]
    if rule == CompetentAgencyRule.RECEIVING and competent and not receiving <= competent:
        return [
            _(
                "Quy tắc “cơ quan tiếp nhận giải quyết” cần mọi cơ quan tiếp nhận đều có thẩm quyền giải quyết "
                "(thiếu: %(codes)s)."
            )
            % {"codes": ", ".join(sorted(receiving - competent))}
        ]
    return []


# --------------------------------------------------------------------------- services


def field_get_or_create(*, actor, code: str, name: str = "") -> Field:
    """The field with `code`; created (audited) when `name` is given and it does not exist yet."""
    _check_editor(actor)
    field = Field.objects.filter(code=code).first()
    if field is not None:
        return field
    if not name:
        raise ValidationError({"field": _("Không có lĩnh vực với mã %(code)s.") % {"code": code}})
    with transaction.atomic():
        field = Field(code=code, name=name)
        field.full_clean()
        field.save()
        audit.record(actor=actor, action="catalog.field_create", obj=field, after={"code": code, "name": name})
    return field


def procedure_create(*, actor, code: str, field: Field, valid_from: dt.date | None = None, **content) -> Procedure:
    """Create a procedure with its first published version (number 1)."""
    _check_editor(actor)
    unknown = set(content) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown content keys: {sorted(unknown)}")
    canonical = canonical_content(content)
    with transaction.atomic():
        if Procedure.objects.filter(code=code).exists():
            raise ValidationError({"code": _("Đã có thủ tục với mã %(code)s.") % {"code": code}})
        procedure = Procedure(code=code, field=field)
        procedure.full_clean()
        procedure.save()
        version = _build_version(procedure, 1, canonical, valid_from or timezone.localdate())
        audit.record(actor=actor, action="catalog.procedure_create", obj=procedure, after=_summary(version))
    procedure._current_version = version
    return procedure


def procedure_publish_new_version(
    *, actor, procedure: Procedure, changes: dict, field: Field | None = None
) -> ProcedureVersion:
    """Copy the current version, apply `changes`, retire the old version and publish the new one.

    `changes` holds any content keys (lists replace the whole list) and optionally ``valid_from``
    (default today). Raises ValidationError when nothing changes or the result is invalid.
    """
    _check_editor(actor)
    changes = dict(changes)
    valid_from = changes.pop("valid_from", None) or timezone.localdate()
    unknown = set(changes) - set(CONTENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown content keys: {sorted(unknown)}")
    with transaction.atomic():
        procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
        current = (
            procedure.versions.filter(status=VersionStatus.PUBLISHED)
            .prefetch_related("competent_agencies", "receiving_agencies", "components", "fees", "steps__agency")
            .first()
        )
        if current is None:
            raise ValidationError(_("Thủ tục %(code)s không có phiên bản đang áp dụng.") % {"code": procedure.code})
        before = version_content(current)
        after = canonical_content({**before, **changes})
        field_changed = field is not None and field.pk != procedure.field_id
        if after == before and not field_changed:
            raise ValidationError(_("Không có thay đổi nào so với phiên bản đang áp dụng."), code="unchanged")
        if valid_from < current.valid_from:
            raise ValidationError({"valid_from": _("Ngày hiệu lực của phiên bản mới không được trước phiên bản cũ.")})
        old_summary = _summary(current)
        current.status = VersionStatus.RETIRED
        current.valid_to = valid_from
        current.save(update_fields=["status", "valid_to", "search_text"])
        number = (procedure.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        version = _build_version(procedure, number, after, valid_from)
        if field_changed:
            procedure.field = field
            procedure.save(update_fields=["field"])
        changed = sorted(k for k in CONTENT_FIELDS if before.get(k) != after.get(k))
        audit.record(
            actor=actor,
            action="catalog.procedure_publish_version",
            obj=procedure,
            before=old_summary,
            after={**_summary(version), "changed": changed},
        )
    procedure._current_version = version
    return version


# --------------------------------------------------------------------------- imports


def catalog_import_start(*, actor, upload) -> CatalogImport:
    """Store an uploaded catalogue file and queue its import (catalog.tasks.run_catalog_import)."""
    from core.tasks import enqueue_after_commit

    from .tasks import run_catalog_import

    if actor is None or not is_administrator(actor):
        raise PermissionDenied(_("Chỉ quản trị hệ thống mới được nhập danh mục thủ tục."))
    name = getattr(upload, "name", "") or ""
    if not name.lower().endswith((".json", ".xlsx")):
        raise ValidationError({"file": _("Chỉ nhận tệp .json hoặc .xlsx.")})
    with transaction.atomic():
        job = CatalogImport(created_by=actor, filename=name[:255])
        job.file.save(name, upload, save=False)
        job.full_clean()
        job.save()
        audit.record(actor=actor, action="catalog.import_start", obj=job, after={"filename": job.filename})
        enqueue_after_commit(run_catalog_import, job.pk)
    return job
