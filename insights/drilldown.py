"""From a score to the dossiers, feedback reports and procedures that cost it points, with the reason per row.

For an indicator, the rows that cost points are the facts in its denominator and not in its numerator
(scoring.RATIOS), bucketed by the same date. Their number is the indicator's shortfall, read from the rollups,
so a page costs one query for its 50 rows (index (agency, day) of the facts) and one for the procedures.
"""

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from django.db.models import Count, Q, QuerySet

from core import calendar as workcal

from .models import DossierFact, FeedbackFact, FormulaKind
from .scoring import FEEDBACK_FORMULAS, Period, Scope

PAGE = 50

# formula → (date column, condition of the rows that cost points, reason when no sharper one applies)
COSTS: dict[str, tuple[str, Q, str]] = {
    FormulaKind.SYNCED: ("received_on", Q(synced=False), "Chưa đồng bộ trạng thái lên Cổng DVC quốc gia"),
    FormulaKind.ON_TIME: ("finished_on", Q(on_time=False), "Trễ hạn"),
    FormulaKind.ONLINE: ("received_on", Q(eligible=True, online=False), "Nộp trực tiếp dù thủ tục có DVC toàn trình"),
    FormulaKind.PAID_ONLINE: (
        "received_on",
        Q(fee_bearing=True, paid_online=False),
        "Không thanh toán phí, lệ phí trực tuyến",
    ),
    FormulaKind.E_RESULT: ("returned_on", Q(e_result=False), "Không trả kết quả điện tử"),
    FormulaKind.DIGITISED: ("received_on", Q(digitised=False), "Thành phần hồ sơ chưa được số hóa"),
    FormulaKind.REUSED: ("received_on", Q(reused=False), "Không tái sử dụng dữ liệu đã số hóa"),
    FormulaKind.DOSSIER_SATISFACTION: (
        "finished_on",
        Q(on_time=False) | Q(dissatisfied=True),
        "Người nộp đánh giá không hài lòng",
    ),
    FormulaKind.FEEDBACK_ON_TIME: ("handled_on", Q(on_time=False), "Xử lý phản ánh trễ hạn"),
    FormulaKind.FEEDBACK_SATISFACTION: ("handled_on", Q(dissatisfied=True), "Người phản ánh không hài lòng"),
}


@dataclass
class CostRow:
    kind: str  # dossier | report
    ref: str  # the dossier's code or the report's id
    pk: int
    agency: str
    day: object
    reasons: list[str]

    @property
    def day_text(self) -> str:
        return f"{self.day:%d/%m/%Y}" if self.day else ""

    @property
    def reasons_text(self) -> str:
        return "; ".join(self.reasons)


def late_working_days(due_at, done_at) -> int:
    """Whole working days past the appointment, counted up (core.calendar: the province's working calendar)."""
    if due_at is None or done_at is None or done_at <= due_at:
        return 0
    return int(Decimal(workcal.working_days_between(due_at, done_at)).to_integral_value(rounding=ROUND_CEILING)) or 1


def _dossier_reasons(formula: str, f: DossierFact, default: str) -> list[str]:
    reasons = []
    if formula in (FormulaKind.ON_TIME, FormulaKind.DOSSIER_SATISFACTION):
        days = late_working_days(f.due_at, f.finished_at)
        if days:
            reasons.append(f"Trễ {days} ngày làm việc")
        if f.multi_supplement:
            reasons.append("Yêu cầu bổ sung từ lần thứ hai (tính là trễ hạn)")
        if formula == FormulaKind.DOSSIER_SATISFACTION and f.dissatisfied:
            reasons.append(default)
    return reasons or [default]


def cost_queryset(formula: str, scope: Scope, period: Period) -> QuerySet:
    day, cond, _ = COSTS[formula]
    model = FeedbackFact if formula in FEEDBACK_FORMULAS else DossierFact
    return model.objects.filter(
        scope.fact_q(), cond, **{f"{day}__gte": period.start, f"{day}__lte": period.end}
    ).order_by(f"-{day}", "-pk")


def rows(formula: str, scope: Scope, period: Period, page: int = 1) -> list[CostRow]:
    """One page of the records that cost the indicator points, newest first."""
    day, _, default = COSTS[formula]
    qs = cost_queryset(formula, scope, period).select_related("agency")
    start = (max(page, 1) - 1) * PAGE
    out = []
    for f in qs[start : start + PAGE]:
        if isinstance(f, FeedbackFact):
            reasons = []
            days = late_working_days(f.due_at, f.resolved_at) if formula == FormulaKind.FEEDBACK_ON_TIME else 0
            reasons.append(f"Xử lý trễ {days} ngày làm việc" if days else default)
            out.append(CostRow("report", str(f.pk), f.pk, f.agency.name, getattr(f, day), reasons))
        else:
            out.append(
                CostRow("dossier", f.code, f.pk, f.agency.name, getattr(f, day), _dossier_reasons(formula, f, default))
            )
    return out


def procedures(formula: str, scope: Scope, period: Period, limit: int = 10) -> list[dict]:
    """The procedures with the most records costing the indicator points (dossier indicators only)."""
    if formula in FEEDBACK_FORMULAS:
        return []
    from catalog.models import Procedure, ProcedureVersion

    counts = list(
        cost_queryset(formula, scope, period)
        .order_by()
        .values("procedure_id")
        .annotate(n=Count("*"))  # the flags and procedure are in the index: an index-only scan
        .order_by("-n", "procedure_id")[:limit]
    )
    ids = [c["procedure_id"] for c in counts]
    codes = dict(Procedure.objects.filter(pk__in=ids).values_list("pk", "code"))
    names: dict[int, str] = {}
    for pid, name in (
        ProcedureVersion.objects.filter(procedure_id__in=ids)
        .order_by("procedure_id", "-number")
        .values_list("procedure_id", "name")
    ):
        names.setdefault(pid, name)
    return [
        {"code": codes.get(c["procedure_id"], ""), "name": names.get(c["procedure_id"], ""), "count": c["n"]}
        for c in counts
    ]
