"""What a dossier and a feedback report contribute to the Decision 766 index, as ONE query definition.

`dossier_facts()` and `report_facts()` are querysets of the source tables annotated with exactly the columns of
`DossierFact` / `FeedbackFact`, in their order. The live upkeep (`rollups.refresh_dossiers`) reads them for a
few ids; the rebuild (`rollups.rebuild`) runs the same SQL as `INSERT INTO … SELECT`. The two therefore cannot
disagree on a rule; the tests also check that their sums agree.

Rules (insights/README.md, "Formulas", with their sources):
- a dossier counts from its reception (`received_at`), in the competent agency's figures;
- on time: finished (`finished_at`) no later than the appointment (`due_at`, which the dossiers app moves by
  the working time the applicant's supplement or payment took), and at most one supplement request
  (Quyết định 766/QĐ-TTg: more than one supplement request counts as late);
- full-process online: filed online for a procedure the catalogue offers full-process online
  (Nghị định 42/2022/NĐ-CP, Art. 11);
- paid online: a succeeded payment through an online provider (not the counter);
- electronic result: a result file or a result slip issued on the platform;
- digitised: at least one component file held electronically; reused: a file taken from the personal store;
- synced: no status change left unsent to the national portal;
- not satisfied: a rating of 1 or 2 out of 5.
"""

from django.conf import settings
from django.db.models import BooleanField, Case, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate

from dossiers.models import Dossier, DossierFile, DossierRating, DossierSlip, SyncOutbox
from feedback.models import Report
from payments.models import FeeObligation, PaymentAttempt

# A rating at or below this counts as "not satisfied" (the 5-point scale of the dossier and feedback ratings).
DISSATISFIED_AT_MOST = 2
# The payment provider of the one-stop desk (payments.providers.COUNTER): not an online payment.
COUNTER_PROVIDER = "counter"

DOSSIER_FACT_COLUMNS = (
    "dossier_id",
    "code",
    "agency_id",
    "field_id",
    "procedure_id",
    "received_on",
    "finished_on",
    "returned_on",
    "due_at",
    "finished_at",
    "on_time",
    "multi_supplement",
    "eligible",
    "online",
    "fee_bearing",
    "paid_online",
    "digitised",
    "reused",
    "e_result",
    "synced",
    "dissatisfied",
)

REPORT_FACT_COLUMNS = ("report_id", "agency_id", "handled_on", "due_at", "resolved_at", "on_time", "dissatisfied")


def _tz():
    import zoneinfo

    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _flag(condition) -> Case:
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def dossier_facts(qs: QuerySet | None = None) -> QuerySet:
    """The facts of the received dossiers of `qs` (all by default), as `values()` in DOSSIER_FACT_COLUMNS order."""
    tz = _tz()
    qs = (qs if qs is not None else Dossier.objects.all()).filter(received_at__isnull=False).order_by()
    files = DossierFile.objects.filter(dossier=OuterRef("pk"))
    on_time = Q(finished_at__isnull=False, supplement_count__lte=1) & (
        Q(due_at__isnull=True) | Q(finished_at__lte=F("due_at"))
    )
    annotations = {
        "f_dossier_id": F("pk"),
        "f_code": F("code"),
        "f_agency_id": F("competent_agency_id"),
        "f_field_id": F("procedure_version__procedure__field_id"),
        "f_procedure_id": F("procedure_version__procedure_id"),
        "f_received_on": TruncDate("received_at", tzinfo=tz),
        "f_finished_on": TruncDate("finished_at", tzinfo=tz),
        "f_returned_on": TruncDate("returned_at", tzinfo=tz),
        "f_due_at": F("due_at"),
        "f_finished_at": F("finished_at"),
        "f_on_time": _flag(on_time),
        "f_multi_supplement": _flag(Q(supplement_count__gt=1)),
        "f_eligible": _flag(Q(procedure_version__online_mode="full")),
        "f_online": _flag(Q(procedure_version__online_mode="full", channel="online")),
        "f_fee_bearing": Exists(
            FeeObligation.objects.filter(dossier=OuterRef("pk")).exclude(status__in=["waived", "cancelled"])
        ),
        "f_paid_online": Exists(
            PaymentAttempt.objects.filter(dossier=OuterRef("pk"), status="succeeded").exclude(provider=COUNTER_PROVIDER)
        ),
        "f_digitised": Exists(files.filter(kind="component")),
        "f_reused": Exists(files.filter(reused_from__isnull=False)),
        "f_e_result": _flag(
            Q(Exists(files.filter(kind="result")))
            | Q(Exists(DossierSlip.objects.filter(dossier=OuterRef("pk"), kind="result")))
        ),
        "f_synced": ~Exists(SyncOutbox.objects.filter(dossier=OuterRef("pk"), sent_at__isnull=True)),
        "f_dissatisfied": Exists(DossierRating.objects.filter(dossier=OuterRef("pk"), score__lte=DISSATISFIED_AT_MOST)),
    }
    result: QuerySet = qs.annotate(**annotations).values(*annotations)
    return result


def report_facts(qs: QuerySet | None = None) -> QuerySet:
    """The facts of the handled reports of `qs`: routed to an agency (within its competence) and resolved."""
    tz = _tz()
    qs = (qs if qs is not None else Report.objects.all()).filter(routed_agency__isnull=False, resolved_at__isnull=False)
    annotations = {
        "f_report_id": F("pk"),
        "f_agency_id": F("routed_agency_id"),
        "f_handled_on": TruncDate("resolved_at", tzinfo=tz),
        "f_due_at": F("due_at"),
        "f_resolved_at": F("resolved_at"),
        "f_on_time": _flag(Q(due_at__isnull=True) | Q(resolved_at__lte=F("due_at"))),
        "f_dissatisfied": _flag(Q(rating__lte=DISSATISFIED_AT_MOST)),
    }
    result: QuerySet = qs.order_by().annotate(**annotations).values(*annotations)
    return result


def strip(row: dict) -> dict:
    """A facts row with the `f_` prefixes removed (the model's attribute names)."""
    return {k[2:]: v for k, v in row.items()}
