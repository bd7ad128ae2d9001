"""REST API of the one-stop system, mounted at /api/dossiers/.

Citizens: their own dossiers (list, detail, submit, complete, supplement, withdraw, rate, result,
personal data store). Officials: the work queue, the control sheet, the desk's registration of a dossier
brought in person or by post, and one endpoint per action.
Anyone: the public lookup by code + receipt secret (status and dates only; throttled).
Every write calls the service in dossiers/services.py; errors come back as
`{"error": {"code", "message", "fields"}}` (core.api.exception_handler).
"""

import functools
import inspect
from datetime import UTC

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog import selectors as catalog_selectors
from core import media
from core.api import JSONField
from core.identifiers import MAX_ID
from core.openapi import API_ERROR
from core.parsers import CheckedMultiPartParser as InMemoryMultiPartParser
from core.parsers import CheckedMultiPartParser as MultiPartParser
from core.parsers import JSONParser
from directory.models import OrgUnit, User

from . import selectors, services
from .actions import ACTIONS as DOSSIER_ACTIONS
from .actions import agency_by_code as _agency_by_code
from .actions import files_by_component as _files_by_component
from .actions import parse_reuse as _parse_reuse
from .choices import CLOCK_RUNNING, NATIONAL_STATUS_CODES, Channel, DossierAction, DossierStatus, ResultMethod
from .models import Consultation, Dossier, DossierFile, DossierSlip, DossierStep, PersonalDocument
from .paging import CappedLimitOffsetPagination
from .permissions import can_act, is_applicant, who_may
from .ratelimit import lookup_allowed
from .selectors import dossier_get_for

# ------------------------------------------------------------------------------------------ serializers


def extend_schema_field_list(serializer_class):
    return extend_schema_field(serializer_class(many=True))


class FieldsBoundOnce:
    # Input serializer mixin: the fields are built and bound once per class, to a blank instance, and every
    # instance validates with them. DRF deep-copies and binds the declared fields for each instance, which
    # was most of the submission's input validation. Validating keeps no state on a field; a serializer
    # using this must have no field that reads the serializer's context, data or instance.

    @cached_property
    def fields(self):
        cls = type(self)
        bound = cls.__dict__.get("_bound_fields")
        if bound is None:
            blank = cls()
            bound = cls._bound_fields = super(FieldsBoundOnce, blank).fields
        return bound


class DossierListSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="Trạng thái (dossiers.choices.DossierStatus).")
    channel = serializers.CharField(read_only=True, help_text="online | counter | post")
    status_label = serializers.SerializerMethodField()
    national_status = serializers.IntegerField(read_only=True)
    procedure_code = serializers.CharField(source="procedure_version.procedure.code", read_only=True)
    procedure_name = serializers.CharField(source="procedure_version.name", read_only=True)
    receiving_agency = serializers.CharField(source="receiving_agency.code", read_only=True)
    competent_agency = serializers.CharField(source="competent_agency.code", read_only=True)
    is_late = serializers.SerializerMethodField()
    current_step = serializers.SerializerMethodField()
    assignee = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields = [
            "code",
            "status",
            "status_label",
            "national_status",
            "procedure_code",
            "procedure_name",
            "applicant_name",
            "receiving_agency",
            "competent_agency",
            "channel",
            "submitted_at",
            "received_at",
            "due_at",
            "finished_at",
            "returned_at",
            "is_late",
            "supplement_count",
            "current_step",
            "assignee",
        ]

    def get_status_label(self, obj) -> str:
        # The enum's labels directly: Model.get_status_display() rebuilds a dict of lazy strings per call.
        return _status_labels(get_language())[obj.status]

    def get_is_late(self, obj) -> bool:
        return obj.late_now()

    def get_current_step(self, obj) -> str:
        return obj.current_step.name if obj.current_step_id else ""

    def get_assignee(self, obj) -> str:
        return obj.assignee.display_name if obj.assignee_id else ""

    def to_representation(self, obj) -> dict:
        """The fields above, built directly: DRF's field-by-field walk cost ~1 ms per row, most of a queue page.

        Same output as the generic walk (a test compares the two); the detail serializer keeps the walk.
        """
        now = timezone.now()
        tz = timezone.get_current_timezone()
        return {
            "code": obj.code,
            "status": obj.status,
            "status_label": self.get_status_label(obj),
            "national_status": DossierStatus.national_code(obj.status),
            "procedure_code": obj.procedure_version.procedure.code,
            "procedure_name": obj.procedure_version.name,
            "applicant_name": obj.applicant_name,
            "receiving_agency": obj.receiving_agency.code,
            "competent_agency": obj.competent_agency.code,
            "channel": obj.channel,
            "submitted_at": _iso(obj.submitted_at, tz),
            "received_at": _iso(obj.received_at, tz),
            "due_at": _iso(obj.due_at, tz),
            "finished_at": _iso(obj.finished_at, tz),
            "returned_at": _iso(obj.returned_at, tz),
            "is_late": obj.late_now(now),
            "supplement_count": obj.supplement_count,
            "current_step": self.get_current_step(obj),
            "assignee": self.get_assignee(obj),
        }


def _iso(moment, tz=None) -> str | None:
    """A datetime as DRF's DateTimeField writes it: ISO 8601 in the current time zone (`tz`, when the caller
    has it at hand), Z for UTC."""
    if moment is None:
        return None
    text = moment.astimezone(tz or timezone.get_current_timezone()).isoformat()  # timezone.localtime's work
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@functools.cache
def _status_labels(language: str | None) -> dict[str, str]:
    """The statuses' labels in `language` (gettext once per language, not once per row)."""
    return {value: str(label) for value, label in DossierStatus.choices}


class DossierQueueRowSerializer(DossierListSerializer):
    """A row of an official's work queue (the fields of a dossier list row)."""


# What DossierListSerializer reads, for the queue. The related rows come in separate small queries
# (attach_list_related) rather than joins: with six joins PostgreSQL spent 10-15 ms *planning* each page (the
# dossier table has many indexes, each a candidate for every join order), against well under a
# millisecond to run it; alone, the dossier query plans in a fraction of a millisecond. Only the columns
# the serializer needs are fetched (the catalogue, agency and user rows are wide).
QUEUE_DOSSIER_COLUMNS = (
    "code",
    "status",
    "applicant_name",
    "channel",
    "submitted_at",
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "is_late",
    "paused_at",
    "supplement_count",
    "procedure_version",
    "receiving_agency",
    "competent_agency",
    "current_step",
    "assignee",
)


def queue_page_queryset(qs):
    return qs.select_related(None).only(*QUEUE_DOSSIER_COLUMNS)


def attach_list_related(page: list, *, people: bool = True) -> list:
    """Load what DossierListSerializer shows of the page's related rows: versions and agencies from the
    catalogue's memo, steps and assignees in one small query per table (prefetch_related would cost more).
    `people=False`: not the steps and assignees (the caller's query joined them)."""
    if not page:
        return page
    memo = catalog_selectors.catalog_memo()  # versions and agencies change rarely: from process memory
    agencies = memo.agencies({d.receiving_agency_id for d in page} | {d.competent_agency_id for d in page})
    versions = memo.versions({d.procedure_version_id for d in page})
    step_ids = {d.current_step_id for d in page if d.current_step_id and people}
    # no ordering: the model's begins with "dossier", which would join the dossier table to sort
    steps = DossierStep.objects.only("name").order_by().in_bulk(step_ids) if step_ids else {}
    user_ids = {d.assignee_id for d in page if d.assignee_id and people}
    users = (
        User.objects.only("username", "full_name", "organization_name", "first_name", "last_name").in_bulk(user_ids)
        if user_ids
        else {}
    )
    for d in page:
        d.receiving_agency = agencies[d.receiving_agency_id]
        d.competent_agency = agencies[d.competent_agency_id]
        d.procedure_version = versions[d.procedure_version_id]
        if not people:
            continue
        if d.current_step_id:
            d.current_step = steps[d.current_step_id]
        if d.assignee_id:
            d.assignee = users[d.assignee_id]
    return page


# The queue's page as plain rows (QueueView): the columns DossierQueueRowSerializer shows, with the current step's
# and the assignee's names from the same query (LEFT JOINs on primary keys, cheap to plan, unlike the six
# joins above), read as tuples; versions and agencies from the catalogue's memo. Building a hundred model
# objects and walking the serializer over them was most of the CPU of a 100-row page. The primary key first:
# the single-pass paging (dossiers.paging) puts the rows back in the order of its ids by it. The current unit's
# name last, for the queue page (views._queue_cells), which reads its rows by the same statement.
QUEUE_ROW_COLUMNS = (
    "id",
    "code",
    "status",
    "applicant_name",
    "channel",
    "submitted_at",
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "is_late",
    "paused_at",
    "supplement_count",
    "procedure_version_id",
    "receiving_agency_id",
    "competent_agency_id",
    "current_step_id",
    "current_step__name",
    "assignee_id",
    "assignee__username",
    "assignee__full_name",
    "assignee__organization_name",
    "assignee__first_name",
    "assignee__last_name",
    "current_unit_id",
    "current_unit__name",
)


def queue_page_rows(qs) -> list[tuple]:
    """The rows of a sliced or filtered Dossier queryset as QUEUE_ROW_COLUMNS tuples (queue_rows_by_id)."""
    return queue_rows_by_id(list(qs.values_list("pk", flat=True)))


def queue_rows_by_id(ids: list[int]) -> list[tuple]:
    """The queue's rows of these dossiers, as QUEUE_ROW_COLUMNS tuples in the order of `ids`.

    A page is found by its ids (the queue's filters and order, built by the ORM with few columns), then read by
    one plain statement written once per process: building the 24 columns and the date conversions with the
    ORM cost more than reading them. On PostgreSQL the five dates come as UTC `timestamp`s (naive;
    queue_rows_json makes them aware again): Django reads a `timestamptz` with a loader written in Python,
    which took most of the time of reading a page (three quarters of a millisecond per hundred dates), where
    psycopg reads a plain `timestamp` in C.
    """
    if not ids:
        return []
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(_queue_rows_sql(connection.vendor).format(marks=marks), ids)
        rows = {row[0]: row for row in cursor.fetchall()}
    return [rows[pk] for pk in ids if pk in rows]


@functools.cache
def _queue_rows_sql(vendor: str) -> str:
    """queue_rows_by_id's statement, from the models' columns; `{marks}` stands for the ids' placeholders."""
    q = connection.ops.quote_name
    step, user, unit = DossierStep._meta, User._meta, OrgUnit._meta
    dossier = {f.attname: f.column for f in Dossier._meta.concrete_fields}
    picked = []
    for name in QUEUE_ROW_COLUMNS:
        if name.startswith("current_step__"):
            expr = f"s.{q(step.get_field(name.split('__', 1)[1]).column)}"
        elif name.startswith("assignee__"):
            expr = f"u.{q(user.get_field(name.split('__', 1)[1]).column)}"
        elif name.startswith("current_unit__"):
            expr = f"o.{q(unit.get_field(name.split('__', 1)[1]).column)}"
        else:
            expr = f"d.{q(dossier[name])}"
            if name.endswith("_at") and vendor == "postgresql":
                expr = f"({expr} AT TIME ZONE 'UTC')"
        picked.append(expr)
    return (
        f"SELECT {', '.join(picked)} FROM {q(Dossier._meta.db_table)} d"  # noqa: S608 - names from the models
        f" LEFT JOIN {q(step.db_table)} s ON s.{q(step.pk.column)} = d.{q(dossier['current_step_id'])}"
        f" LEFT JOIN {q(user.db_table)} u ON u.{q(user.pk.column)} = d.{q(dossier['assignee_id'])}"
        f" LEFT JOIN {q(unit.db_table)} o ON o.{q(unit.pk.column)} = d.{q(dossier['current_unit_id'])}"
        f" WHERE d.{q(dossier['id'])} IN ({{marks}})"
    )


def _utc(moment):
    """A date of queue_page_rows() as an aware datetime (naive ones are UTC)."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def queue_rows_json(rows: list[tuple]) -> list[dict]:
    """What DossierQueueRowSerializer answers for each row of queue_page_rows(), built directly (a test
    compares the two on the demo data): the same keys in the same order, the same values."""
    if not rows:
        return []
    memo = catalog_selectors.catalog_memo()
    versions = memo.versions({r[13] for r in rows})
    agencies = memo.agencies({r[14] for r in rows} | {r[15] for r in rows})
    labels = _status_labels(get_language())
    national = NATIONAL_STATUS_CODES
    now = timezone.now()
    tz = timezone.get_current_timezone()
    out = []
    for (
        _pk,
        code,
        status_,
        applicant_name,
        channel,
        submitted_at,
        received_at,
        due_at,
        finished_at,
        returned_at,
        is_late,
        paused_at,
        supplement_count,
        version_id,
        receiving_id,
        competent_id,
        step_id,
        step_name,
        assignee_id,
        username,
        full_name,
        organization_name,
        first_name,
        last_name,
        _unit_id,
        _unit_name,
    ) in rows:
        version = versions[version_id]
        submitted_at, received_at, due_at = _utc(submitted_at), _utc(received_at), _utc(due_at)
        finished_at, returned_at = _utc(finished_at), _utc(returned_at)
        # Dossier.late_now and User.display_name, on the columns
        late = is_late or (due_at is not None and status_ in CLOCK_RUNNING and paused_at is None and now > due_at)
        out.append(
            {
                "code": code,
                "status": status_,
                "status_label": labels[status_],
                "national_status": national[status_],
                "procedure_code": version.procedure.code,
                "procedure_name": version.name,
                "applicant_name": applicant_name,
                "receiving_agency": agencies[receiving_id].code,
                "competent_agency": agencies[competent_id].code,
                "channel": channel,
                "submitted_at": _iso(submitted_at, tz),
                "received_at": _iso(received_at, tz),
                "due_at": _iso(due_at, tz),
                "finished_at": _iso(finished_at, tz),
                "returned_at": _iso(returned_at, tz),
                "is_late": bool(late),
                "supplement_count": supplement_count,
                "current_step": step_name if step_id else "",
                "assignee": (
                    organization_name or full_name or f"{first_name} {last_name}".strip() or username
                    if assignee_id
                    else ""
                ),
            }
        )
    return out


class DossierFileSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="component | supplement | result | slip")

    class Meta:
        model = DossierFile
        fields = [
            "id",
            "kind",
            "component",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
            "reused_from",
        ]


class DossierEventSerializer(serializers.Serializer):
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor_label = serializers.CharField()
    at = serializers.DateTimeField()
    note = serializers.CharField()


class DossierStepSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField()
    agency = serializers.CharField(source="agency.code")
    unit_name = serializers.CharField()
    budget = serializers.DecimalField(max_digits=6, decimal_places=1)
    time_unit = serializers.CharField()
    assignee = serializers.SerializerMethodField()
    finished_by = serializers.SerializerMethodField()
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    status = serializers.CharField()
    on_time = serializers.BooleanField(allow_null=True)
    note = serializers.CharField()

    def get_assignee(self, obj) -> str:
        return obj.assignee.display_name if obj.assignee_id else ""

    def get_finished_by(self, obj) -> str:
        return obj.finished_by.display_name if obj.finished_by_id else ""


class DossierSupplementRequestSerializer(serializers.Serializer):
    reason = serializers.CharField()
    items = serializers.ListField(child=serializers.CharField())
    requested_at = serializers.DateTimeField()
    answered_at = serializers.DateTimeField(allow_null=True)
    answer_note = serializers.CharField()
    paused_hours = serializers.DecimalField(max_digits=9, decimal_places=2)


class DossierSlipSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)

    class Meta:
        model = DossierSlip
        fields = ["id", "kind", "public_id", "verify_url", "sha256", "created_at"]


class DossierRatingSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    comment = serializers.CharField()


class DossierDetailSerializer(DossierListSerializer):
    files = DossierFileSerializer(many=True, read_only=True)
    result_method = serializers.CharField(read_only=True, help_text="online | post | counter")
    timeline = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()
    supplement_requests = DossierSupplementRequestSerializer(many=True, read_only=True)
    slips = DossierSlipSerializer(many=True, read_only=True)
    rating = serializers.SerializerMethodField()

    class Meta(DossierListSerializer.Meta):
        fields = DossierListSerializer.Meta.fields + [
            "lookup_secret",
            "applicant_id_number",
            "applicant_phone",
            "applicant_email",
            "applicant_address",
            "form_data",
            "original_due_at",
            "paused_hours_total",
            "multiple_supplements",
            "result_method",
            "files",
            "timeline",
            "steps",
            "supplement_requests",
            "slips",
            "rating",
        ]

    def _is_applicant(self, obj) -> bool:
        return is_applicant(self.context["request"].user, obj)

    @extend_schema_field_list(DossierEventSerializer)
    def get_timeline(self, obj):
        events = selectors.timeline(obj, public_only=self._is_applicant(obj))
        return DossierEventSerializer(events, many=True).data

    def _shown(self, obj, kind: str) -> bool:
        return not (self._is_applicant(obj) and selectors.hidden_from_applicant(obj, kind))

    @extend_schema_field_list(DossierStepSerializer)
    def get_steps(self, obj):
        if self._is_applicant(obj):
            return []
        return [_step_json(s) for s in selectors.control_sheet(obj)]

    @extend_schema_field(DossierRatingSerializer(allow_null=True))
    def get_rating(self, obj):
        rating = selectors.rating_of(obj)
        return None if rating is None else {"score": rating.score, "comment": rating.comment}

    def to_representation(self, obj) -> dict:
        """The fields above, built directly, like the list rows (a test compares it with DRF's generic walk,
        which cost several milliseconds per dossier, most of a submission's answer)."""
        row = super().to_representation(obj)
        row.update(
            {
                "lookup_secret": obj.lookup_secret,
                "applicant_id_number": obj.applicant_id_number,
                "applicant_phone": obj.applicant_phone,
                "applicant_email": obj.applicant_email,
                "applicant_address": obj.applicant_address,
                "form_data": obj.form_data,
                "original_due_at": _iso(obj.original_due_at),
                "paused_hours_total": _decimal(obj.paused_hours_total, 2),
                "multiple_supplements": obj.multiple_supplements,
                "result_method": obj.result_method,
                "files": [
                    _file_json(f)
                    for f in selectors.related_rows(obj, "files", self.context.get("written"))
                    if self._shown(obj, f.kind)
                ],
                "timeline": [
                    _event_json(e)
                    for e in _timeline(obj, public_only=self._is_applicant(obj), written=self.context.get("written"))
                ],
                "steps": self.get_steps(obj),
                # a request for supplements counts itself on the dossier (services.dossier_request_supplement)
                "supplement_requests": [
                    _supplement_json(r)
                    for r in selectors.related_rows(obj, "supplement_requests", self.context.get("written"))
                ]
                if obj.supplement_count
                else [],
                "slips": [
                    _slip_json(s)
                    for s in selectors.related_rows(obj, "slips", self.context.get("written"))
                    if self._shown(obj, s.kind)
                ],
                "rating": self.get_rating(obj),
            }
        )
        return row


def _decimal(value, places: int) -> str | None:
    """A Decimal as DRF's DecimalField writes it (a string with `places` decimals)."""
    return None if value is None else f"{value:.{places}f}"


def _file_json(f: DossierFile) -> dict:
    return {
        "id": f.pk,
        "kind": f.kind,
        "component": f.component_id,
        "original_name": f.original_name,
        "content_type": f.content_type,
        "size": f.size,
        "sha256": f.sha256,
        "uploaded_at": _iso(f.uploaded_at),
        "reused_from": f.reused_from_id,
    }


def _event_json(e) -> dict:
    return {
        "action": e.action,
        "from_status": e.from_status,
        "to_status": e.to_status,
        "actor_label": e.actor_label,
        "at": _iso(e.at),
        "note": e.note,
    }


def _step_json(s: DossierStep) -> dict:
    return {
        "order": s.order,
        "name": s.name,
        "role": s.role,
        "agency": s.agency.code,
        "unit_name": s.unit_name,
        "budget": _decimal(s.budget, 1),
        "time_unit": s.time_unit,
        "assignee": s.assignee.display_name if s.assignee_id else "",
        "finished_by": s.finished_by.display_name if s.finished_by_id else "",
        "received_at": _iso(s.received_at),
        "due_at": _iso(s.due_at),
        "finished_at": _iso(s.finished_at),
        "status": s.status,
        "on_time": s.on_time,
        "note": s.note,
    }


def _supplement_json(r) -> dict:
    return {
        "reason": r.reason,
        "items": [str(i) for i in r.items],
        "requested_at": _iso(r.requested_at),
        "answered_at": _iso(r.answered_at),
        "answer_note": r.answer_note,
        "paused_hours": _decimal(r.paused_hours, 2),
    }


def _slip_json(s: DossierSlip) -> dict:
    return {
        "id": s.pk,
        "kind": s.kind,
        "public_id": s.public_id,
        "verify_url": s.verify_url,
        "sha256": s.sha256,
        "created_at": _iso(s.created_at),
    }


def _timeline(obj, *, public_only: bool, written=None) -> list:
    """The dossier's timeline; the rows a service has just written when it gives them (a dossier just
    submitted, `services.Submitted`)."""
    held = written.rows("events") if written is not None else None
    if held is None:
        return selectors.rows_of(obj, "events", public_only=public_only)
    events = sorted(held, key=lambda e: (e.at, e.pk))
    return [e for e in events if e.public] if public_only else events


# An id the database can hold (core.identifiers.MAX_ID): a larger number is refused as input.
ID_RANGE = {"min_value": 1, "max_value": MAX_ID}


class DossierSubmitSerializer(FieldsBoundOnce, serializers.Serializer):
    procedure_version = serializers.IntegerField(**ID_RANGE)
    form_data = JSONField(required=False, binary=True)
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)
    file_components = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="Mã thành phần hồ sơ của từng tệp trong `files`, cùng thứ tự.",
    )
    reuse = JSONField(required=False, binary=True, help_text='{"<mã thành phần>": [<mã giấy tờ trong kho cá nhân>]}')
    result_method = serializers.CharField(default=ResultMethod.ONLINE, help_text="online | post | counter")
    receiving_agency = serializers.CharField(
        required=False,
        help_text="Cơ quan tiếp nhận (nơi nộp): mã số (id) hoặc mã định danh QCVN 102, một trong các cơ quan tiếp "
        "nhận của phiên bản thủ tục. Bắt buộc khi thủ tục có nhiều cơ quan tiếp nhận (Nghị định 118/2025/NĐ-CP).",
    )
    competent_agency = serializers.CharField(
        required=False,
        help_text="Cơ quan giải quyết: mã số (id) hoặc mã QCVN 102, theo quy tắc của thủ tục "
        "(competent_agency_rule): chosen — chọn trong các cơ quan có thẩm quyền, bỏ trống là cơ quan tiếp nhận "
        "nếu có thẩm quyền; receiving — chính cơ quan tiếp nhận; fixed — cơ quan duy nhất của thủ tục.",
    )


class DossierCounterSerializer(FieldsBoundOnce, serializers.Serializer):
    # Only the shape of the input: the desk's rules (who may register, the applicant's name and CCCD / tax
    # code, the channel, the files) are checked by services.dossier_register_counter, in Vietnamese, the
    # same for the page and the API. So the applicant's fields are optional here and blank by default.
    procedure_version = serializers.IntegerField(**ID_RANGE)
    channel = serializers.CharField(default=Channel.COUNTER, help_text="counter | post")
    result_method = serializers.CharField(default=ResultMethod.COUNTER, help_text="counter | post | online")
    receiving_agency = serializers.CharField(
        required=False,
        help_text="Cơ quan tiếp nhận: mã số (id) hoặc mã định danh QCVN 102, một cơ quan tiếp nhận của thủ tục mà "
        "cán bộ là cán bộ một cửa. Bỏ trống khi cán bộ là cán bộ một cửa của đúng một cơ quan tiếp nhận thủ tục.",
    )
    competent_agency = serializers.CharField(
        required=False,
        help_text="Cơ quan giải quyết: mã số (id) hoặc mã QCVN 102, theo quy tắc của thủ tục (như khi nộp trực tuyến).",
    )
    applicant_name = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Họ tên người nộp / tên tổ chức (bắt buộc)."
    )
    applicant_id_number = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Số CCCD (12 số) hoặc mã số thuế."
    )
    applicant_phone = serializers.CharField(required=False, allow_blank=True, default="")
    applicant_email = serializers.CharField(required=False, allow_blank=True, default="")
    applicant_address = serializers.CharField(required=False, allow_blank=True, default="")
    link_account = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: gắn hồ sơ với tài khoản công dân / doanh nghiệp có số CCCD / mã số thuế này (nếu có), để "
        "người nộp theo dõi trong mục Hồ sơ của tôi.",
    )
    form_data = JSONField(required=False, binary=True)
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)
    file_components = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="Mã thành phần hồ sơ của từng tệp trong `files`, cùng thứ tự.",
    )


class DossierReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text="Lý do (bắt buộc có nội dung).")


class DossierReasonItemsSerializer(DossierReasonSerializer):
    items = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, help_text="Các giấy tờ cần bổ sung, hoàn thiện."
    )


class DossierNoteSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, required=False, default="", help_text="Ý kiến, ghi chú.")


class DossierTransferSerializer(DossierNoteSerializer):
    to_user = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Id cán bộ nhận bước tiếp theo, lấy từ GET /api/dossiers/d/{code}/next-holders/; bỏ trống: "
        "mọi cán bộ giữ vai trò của bước.",
    )


class DossierApologySerializer(DossierReasonSerializer):
    new_due_at = serializers.DateTimeField(help_text="Ngày giờ hẹn trả kết quả mới (ISO 8601).")


class DossierConsultSerializer(serializers.Serializer):
    agency = serializers.CharField(help_text="Mã cơ quan (QCVN 102) được xin ý kiến.")
    question = serializers.CharField(allow_blank=True)


class DossierConsultAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(allow_blank=True)


class DossierResultSerializer(serializers.Serializer):
    file = serializers.FileField(required=False, help_text="Tệp PDF kết quả (hoặc dùng `generate`).")
    generate = serializers.BooleanField(
        required=False, default=False, help_text="true: hệ thống tạo văn bản kết quả PDF và ký số."
    )


class DossierReturnResultSerializer(serializers.Serializer):
    method = serializers.CharField(default=ResultMethod.ONLINE, help_text="online | post | counter")


REUSE_HELP = 'Giấy tờ lấy từ kho dữ liệu cá nhân thay cho tải lên: JSON {"<mã thành phần>": [<mã giấy tờ>, …]}.'


class DossierFilesNoteSerializer(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)
    file_components = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text="Tùy chọn: mã thành phần hồ sơ của từng tệp trong `files`, cùng thứ tự.",
    )
    reuse = JSONField(required=False, binary=True, help_text=REUSE_HELP)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DossierCompleteSerializer(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list)
    file_components = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    reuse = JSONField(required=False, binary=True, help_text=REUSE_HELP)
    form_data = JSONField(required=False, binary=True)


class DossierRateSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class PersonalDocumentSerializer(serializers.ModelSerializer):
    file = serializers.FileField(write_only=True)

    class Meta:
        model = PersonalDocument
        fields = ["id", "title", "file", "content_type", "size", "sha256", "created_at"]
        read_only_fields = ["content_type", "size", "sha256", "created_at"]


class DossierLookupSerializer(serializers.Serializer):
    code = serializers.CharField()
    procedure = serializers.CharField()
    receiving_agency = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    national_status = serializers.IntegerField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    is_late = serializers.BooleanField()


# ------------------------------------------------------------------------------------------ helpers


def _upload_payload(data, names) -> dict:
    """An input serializer's data from a multipart (or JSON) body: the text fields `names` that were given,
    and the repeated `files` and `file_components`, each as a list."""
    payload = {k: data.get(k) for k in names if data.get(k) not in (None, "")}
    for k in ("files", "file_components"):
        payload[k] = data.getlist(k) if hasattr(data, "getlist") else data.get(k, [])
    return payload


def _validated_upload(request, serializer_class, names):
    """(the validated input, its procedure version) of a multipart dossier upload; the version comes with
    its procedure (the national-sync payload needs its code), components and agencies."""
    ser = serializer_class(data=_upload_payload(request.data, names))
    ser.is_valid(raise_exception=True)
    v = ser.validated_data
    version = catalog_selectors.version_for_submission(v["procedure_version"])
    if version is None:
        raise ValidationError({"procedure_version": ["Thủ tục không tồn tại."]})
    return v, version


def _detail(request, dossier, http_status=status.HTTP_200_OK) -> Response:
    # Re-read after the action. No visibility check here: the caller was allowed to act, and after a
    # transfer a unit-scoped official may no longer see the dossier in their queue.
    dossier = selectors.dossier_reload(dossier)
    return Response(DossierDetailSerializer(dossier, context={"request": request}).data, status=http_status)


# ------------------------------------------------------------------------------------------ citizens


class MyDossiersView(generics.ListAPIView):
    """The signed-in citizen's or business's own dossiers (GET), and online submission (POST, multipart)."""

    serializer_class = DossierListSerializer
    parser_classes = [InMemoryMultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        return selectors.dossiers_for_applicant(self.request.user)

    @extend_schema(
        request=DossierSubmitSerializer,
        responses={201: DossierDetailSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description="Khóa do hệ thống gọi tự sinh cho mỗi lần nộp (tối đa 80 ký tự). Gửi lại cùng khóa "
                "(mất kết nối, bấm hai lần) nhận lại đúng hồ sơ lần đầu đã tạo (201, header Idempotent-Replayed: "
                "true), không tạo hồ sơ thứ hai; khóa đã dùng cho thủ tục khác bị từ chối (400).",
            )
        ],
    )
    def post(self, request):
        v, version = _validated_upload(
            request,
            DossierSubmitSerializer,
            ("procedure_version", "form_data", "reuse", "result_method", "receiving_agency", "competent_agency"),
        )
        submitted = services.dossier_submit_online_written(
            applicant=request.user,
            procedure_version=version,
            form_data=v.get("form_data") or {},
            files=_files_by_component(v["files"], v["file_components"]),
            reuse=_parse_reuse(v.get("reuse")),
            result_method=v["result_method"],
            # checked against the version's lists, already loaded: no query
            receiving_agency=v.get("receiving_agency"),
            competent_agency=v.get("competent_agency"),
            idempotency_key=request.headers.get("Idempotency-Key", ""),
        )
        # No re-read: the service gives back what it wrote (the dossier with its version, procedure and agencies
        # loaded, its files and first event).
        context = {"request": request, "written": submitted}
        response = Response(
            DossierDetailSerializer(submitted.dossier, context=context).data, status=status.HTTP_201_CREATED
        )
        if submitted.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class DossierDetailView(APIView):
    """One dossier: the applicant sees their own; officials what their agency, unit and role allow."""

    @extend_schema(responses=DossierDetailSerializer)
    def get(self, request, code: str):
        dossier = dossier_get_for(request.user, code)
        return Response(DossierDetailSerializer(dossier, context={"request": request}).data)


class ControlSheetView(APIView):
    """Phiếu kiểm soát quá trình giải quyết hồ sơ: each step, who, received, due, finished, on time. An
    internal record (the officials' notes, their names): for officials who see the dossier, not for the
    applicant, who follows the dossier through its public timeline."""

    @extend_schema(responses=DossierStepSerializer(many=True))
    def get(self, request, code: str):
        dossier = dossier_get_for(request.user, code)
        if is_applicant(request.user, dossier):
            raise Http404
        return Response(DossierStepSerializer(selectors.control_sheet(dossier), many=True).data)


def _file_response(field_file, filename: str, content_type: str):
    if not field_file:
        raise Http404
    return media.file_response(
        None, field_file.name, storage=field_file.storage, inline=False, filename=filename, content_type=content_type
    )


class ResultDownloadView(APIView):
    """The result document (PDF). Officials who see the dossier get it once it is processed; the
    applicant once it has been returned (the same rule as the "My dossiers" page)."""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, code: str):
        dossier = dossier_get_for(request.user, code)
        allowed = (DossierStatus.PROCESSED, DossierStatus.RETURNED)
        if dossier.applicant_id is not None and dossier.applicant_id == request.user.pk:
            allowed = (DossierStatus.RETURNED,)
        if dossier.status not in allowed:
            raise Http404
        row = dossier.files.filter(kind="result").order_by("-id").first()
        if row is not None:
            return _file_response(row.file, f"ket-qua-{dossier.code}.pdf", row.content_type)
        slip = dossier.slips.filter(kind="result").exclude(file="").order_by("-id").first()
        if slip is None:
            raise Http404
        return _file_response(slip.file, f"ket-qua-{dossier.code}.pdf", "application/pdf")


class DossierFileDownloadView(APIView):
    """One attachment of a dossier (applicant or officials who see the dossier)."""

    # the file as it was checked on upload (services.ALLOWED_CONTENT_TYPES): PDF, JPEG or PNG
    @extend_schema(responses={(200, kind): OpenApiTypes.BINARY for kind in services.ALLOWED_CONTENT_TYPES})
    def get(self, request, code: str, file_id: int):
        dossier = dossier_get_for(request.user, code)
        row = get_object_or_404(DossierFile, dossier=dossier, pk=file_id)
        if is_applicant(request.user, dossier) and selectors.hidden_from_applicant(dossier, row.kind):
            raise Http404
        return _file_response(row.file, row.original_name, row.content_type)


class PersonalDocumentsView(generics.ListCreateAPIView):
    """The citizen's personal data store (kho dữ liệu cá nhân)."""

    serializer_class = PersonalDocumentSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return PersonalDocument.objects.filter(owner=self.request.user).order_by("-created_at", "-id")

    def perform_create(self, serializer):
        v = serializer.validated_data
        serializer.instance = services.personal_document_add(owner=self.request.user, title=v["title"], file=v["file"])


# ------------------------------------------------------------------------------------------ officials


class QueueView(generics.ListAPIView):
    """An official's work queue, filtered and paged (limit/offset), oldest appointment first.

    `count` stops at 10,000 (`count_capped` is then true, and paging stops there: narrow the filters).
    """

    serializer_class = DossierQueueRowSerializer  # its own name, so the capped page gets its own schema
    pagination_class = CappedLimitOffsetPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, description="Một hoặc nhiều trạng thái, phân cách bằng dấu phẩy."),
            OpenApiParameter("due", str, enum=["soon", "overdue"]),
            OpenApiParameter("unit", int),
            OpenApiParameter("agency", int),
            OpenApiParameter("procedure", str, description="Mã hoặc id thủ tục."),
            OpenApiParameter("assignee", str, description="Id cán bộ hoặc `me`."),
            OpenApiParameter("late", bool),
            OpenApiParameter("q", str, description="Mã hồ sơ, tên hoặc số giấy tờ người nộp (không dấu cũng được)."),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        # The page's rows as plain tuples, turned into the serializer's JSON directly (queue_rows_json); the
        # serializer class stays for the schema and as the reference the tests compare with.
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        if page is None:  # no paging (the API always pages: PAGE_SIZE)
            return Response(queue_rows_json(queue_page_rows(queryset)))
        return self.get_paginated_response(queue_rows_json(page))

    # what the paging reads for a page's rows, given their ids (dossiers.paging.CappedLimitOffsetPagination)
    page_rows = staticmethod(queue_rows_by_id)

    @property
    def single_pass_paging(self) -> bool:
        """Text searches page from one list of matching ids (see CappedLimitOffsetPagination)."""
        return bool((self.request.query_params.get("q") or "").strip())

    def get_queryset(self):
        p = self.request.query_params
        late = p.get("late")
        qs = selectors.work_queue_for(
            self.request.user,
            status=p.get("status"),
            due=p.get("due"),
            unit=p.get("unit"),
            procedure=p.get("procedure"),
            assignee=p.get("assignee"),
            q=p.get("q"),
            agency=p.get("agency"),
            late=None if late in (None, "") else late.lower() in ("1", "true", "yes"),
        )
        return qs.select_related(None)


class OfficialRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Giá trị `to_user` của thao tác chuyển / phê duyệt.")
    username = serializers.CharField()
    display_name = serializers.CharField()


class NextStepSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    name = serializers.CharField()
    role = serializers.CharField(help_text="Vai trò của bước (directory.choices.Role).")
    agency = serializers.CharField(source="agency.code", help_text="Mã cơ quan của bước (QCVN 102).")
    unit_name = serializers.CharField()


class NextHoldersSerializer(serializers.Serializer):
    step = NextStepSerializer(allow_null=True, help_text="Bước sẽ bắt đầu; null khi đây là bước cuối.")
    officials = OfficialRefSerializer(many=True)


class NextHoldersView(APIView):
    """The officials who may be named `to_user` when the caller transfers or approves the dossier now: those
    holding the next step's role in its agency (and unit), the rule the services check. Only for whoever may
    transfer or approve the dossier at this moment (403 otherwise; 404 when the dossier is not theirs to see).
    `role` and `agency` (code) narrow the list; a value that is not the next step's gives an empty list."""

    @extend_schema(
        parameters=[
            OpenApiParameter("role", str, description="Chỉ cán bộ giữ vai trò này (directory.choices.Role)."),
            OpenApiParameter("agency", str, description="Chỉ cán bộ của cơ quan có mã này (QCVN 102)."),
        ],
        responses=NextHoldersSerializer,
    )
    def get(self, request, code: str):
        dossier = dossier_get_for(request.user, code)
        if not (can_act(request.user, dossier, DossierAction.TRANSFER) or can_act(request.user, dossier, "approve")):
            raise PermissionDenied("Bạn không giữ bước xử lý hiện tại của hồ sơ nên không chuyển hồ sơ được.")
        step, officials = selectors.next_holder_candidates(dossier)
        role, agency = request.query_params.get("role"), request.query_params.get("agency")
        if step is not None and (
            (role and role != step.role) or (agency and agency.strip().upper() != step.agency.code)
        ):
            officials = officials.none()
        return Response(
            {
                "step": NextStepSerializer(step).data if step is not None else None,
                "officials": [{"id": u.pk, "username": u.username, "display_name": u.display_name} for u in officials],
            }
        )


class CounterRegisterView(APIView):
    """The one-stop desk registers a dossier brought in person (`counter`) or by post (`post`) on behalf of
    a person (multipart, like the online submission). It is received at once: status `processing`,
    appointment set, receipt slip issued after commit. Only a one-stop officer of an agency that receives
    the procedure may do it (403 otherwise); nothing is written when the request is refused."""

    parser_classes = [InMemoryMultiPartParser, FormParser, JSONParser]

    @extend_schema(request=DossierCounterSerializer, responses={201: DossierDetailSerializer})
    def post(self, request):
        v, version = _validated_upload(
            request,
            DossierCounterSerializer,
            (
                "procedure_version",
                "channel",
                "result_method",
                "receiving_agency",
                "competent_agency",
                "applicant_name",
                "applicant_id_number",
                "applicant_phone",
                "applicant_email",
                "applicant_address",
                "link_account",
                "form_data",
            ),
        )
        agency = v.get("receiving_agency")
        dossier = services.dossier_register_counter(
            officer=request.user,
            procedure_version=version,
            applicant=selectors.applicant_account(v["applicant_id_number"], name=v["applicant_name"])
            if v["link_account"]
            else None,
            # what the desk typed; a linked account fills in what it left blank
            applicant_info={
                k: v[f"applicant_{k}"]
                for k in ("name", "id_number", "phone", "email", "address")
                if v[f"applicant_{k}"].strip()
            },
            form_data=v.get("form_data") or {},
            files=_files_by_component(v["files"], v["file_components"]),
            channel=v["channel"],
            result_method=v["result_method"],
            receiving_agency=_agency_by_code(agency, field="receiving_agency") if agency else None,
            competent_agency=v.get("competent_agency"),
        )
        return _detail(request, dossier, http_status=status.HTTP_201_CREATED)


# The actions of the API (one endpoint each, d/<code>/<name>/): the API names of the registry
# (dossiers/actions.py), whose rows give the service, the input serializer and the permission checked
# (the service's own). The OpenAPI description is written from the service's docstring,
# permissions.who_may and the serializer (action_description), so the documentation follows the code.
ACTIONS = DOSSIER_ACTIONS.in_api()


def _request_text(serializer_class) -> str:
    if serializer_class is None:
        return "không có (gửi thân rỗng)."
    parts = []
    for name, field in serializer_class().fields.items():
        if field.read_only:
            continue
        text = f"`{name}`" + (" (bắt buộc)" if field.required else "")
        if field.help_text:
            text += f": {field.help_text}"
        parts.append(text)
    return "; ".join(parts) + "."


def action_description(name: str) -> str:
    """The OpenAPI description of an action: its effect (the service's docstring), the role it needs
    (permissions.who_may), its request body and its errors."""
    action = ACTIONS[name]
    effect = inspect.getdoc(action.service) or ""
    body = "multipart/form-data hoặc JSON" if action.multipart else "JSON"
    return (
        f"**{DossierAction(action.permission).label}** (`{action.permission}`, dịch vụ "
        f"`dossiers.services.{action.service.__name__}`).\n\n"
        f"Tác dụng: {effect}\n\n"
        f"Vai trò được phép: {who_may(action.permission)}.\n\n"
        f"Thân yêu cầu ({body}): {_request_text(action.input_serializer)}\n\n"
        'Trả về: chi tiết hồ sơ sau thao tác (200). Lỗi, dạng `{"error": {"code", "message", "fields"}}`: '
        "400 `invalid` khi dữ liệu sai hoặc trạng thái hồ sơ không cho phép thao tác (hồ sơ không thay đổi); "
        "401 `authentication_failed` khi khóa API sai, hết hạn hoặc đã thu hồi; 403 `not_authenticated` khi không "
        "gửi thông tin đăng nhập, `permission_denied` khi người gọi không giữ vai trò nêu trên hoặc khóa API chỉ "
        "được đọc; 404 `not_found` khi không có hồ sơ với mã này hoặc người gọi không được xem hồ sơ."
    )


def _action_view(name: str):
    action = ACTIONS[name]
    input_serializer = action.input_serializer
    parsers = [MultiPartParser, FormParser, JSONParser] if action.multipart else [JSONParser, FormParser]

    class _View(APIView):
        parser_classes = parsers

        @extend_schema(
            request=input_serializer,
            responses=DossierDetailSerializer,
            operation_id=f"dossiers_{name}",
            summary=str(DossierAction(action.permission).label),
            description=action_description(name),
        )
        def post(self, request, code: str):
            dossier = dossier_get_for(request.user, code)
            data = {}
            if input_serializer is not None:
                raw = request.data
                if hasattr(raw, "getlist"):
                    raw = {
                        k: (raw.getlist(k) if k in ("files", "file_components", "items") else raw.get(k)) for k in raw
                    }
                ser = input_serializer(data=raw)
                ser.is_valid(raise_exception=True)
                data = ser.validated_data
            action(request.user, dossier, data)
            return _detail(request, dossier)

    _View.__name__ = "".join(part.title() for part in name.split("-")) + "ActionView"
    return _View.as_view()


class RateView(APIView):
    @extend_schema(
        request=DossierRateSerializer,
        responses={
            201: inline_serializer(
                "DossierRatingOut", {"score": serializers.IntegerField(), "comment": serializers.CharField()}
            )
        },
    )
    def post(self, request, code: str):
        dossier = dossier_get_for(request.user, code)
        ser = DossierRateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        rating = services.dossier_rate(dossier=dossier, applicant=request.user, **ser.validated_data)
        return Response({"score": rating.score, "comment": rating.comment}, status=status.HTTP_201_CREATED)


class ConsultationAnswerView(APIView):
    @extend_schema(
        request=DossierConsultAnswerSerializer,
        responses=inline_serializer(
            "ConsultationOut", {"id": serializers.IntegerField(), "answered_at": serializers.DateTimeField()}
        ),
    )
    def post(self, request, pk: int):
        consultation = Consultation.objects.filter(
            pk=pk, agency_id__in=selectors.consultations_for(request.user).values("agency_id")
        ).first()
        if consultation is None:
            raise Http404
        ser = DossierConsultAnswerSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        c = services.dossier_consult_answer(
            consultation=consultation, actor=request.user, answer=ser.validated_data["answer"]
        )
        return Response({"id": c.pk, "answered_at": c.answered_at})


# ------------------------------------------------------------------------------------------ public


def _lookup_json(result: dict) -> dict:
    # The same representation DRF gave (local time, ISO 8601), without building a serializer per request.
    out = dict(result)
    for name in ("submitted_at", "received_at", "due_at", "finished_at", "returned_at"):
        if out[name] is not None:
            out[name] = timezone.localtime(out[name]).isoformat()
    return out


def _json(body: dict, status_code: int, **headers) -> JsonResponse:
    response = JsonResponse(
        body, status=status_code, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")}
    )
    for name, value in headers.items():
        response[name] = value
    return response


class LookupView(APIView):
    """Public lookup by dossier code + the secret printed on the receipt: status and dates, no personal data.

    Rate-limited per client address (60 a minute by default, shared with the lookup page): beyond it,
    429 with Retry-After. Answers are never cached (Cache-Control: no-store).
    """

    # The busiest anonymous endpoint, so GET and HEAD skip DRF's request, negotiation and renderer
    # machinery (`dispatch` answers with plain Django): one indexed query, no session, no authentication.
    # `get` documents the contract for the OpenAPI schema.

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        parameters=[OpenApiParameter("code", str, required=True), OpenApiParameter("secret", str, required=True)],
        responses={200: DossierLookupSerializer, 404: API_ERROR, 429: API_ERROR},
        auth=[],
    )
    def get(self, request):
        return self.lookup(request)

    def dispatch(self, request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return super().dispatch(request, *args, **kwargs)  # 405 in the API's error shape
        return self.lookup(request)

    def lookup(self, request):
        allowed, retry_after = lookup_allowed(request)
        if not allowed:
            return _json(
                {
                    "error": {
                        "code": "throttled",
                        "message": f"Quá nhiều lượt tra cứu; vui lòng thử lại sau {retry_after} giây.",
                    }
                },
                429,
                **{"Retry-After": str(retry_after)},
            )
        result = selectors.public_lookup(request.GET.get("code", ""), request.GET.get("secret", ""))
        if result is None:
            return _json(
                {"error": {"code": "not_found", "message": "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu này."}}, 404
            )
        return _json(_lookup_json(result), 200, **{"Cache-Control": "no-store"})
