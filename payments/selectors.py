"""Permission-aware reads of payments: each read asks `payments.permissions` who may see what."""

from decimal import Decimal

from django.apps import apps
from django.db.models import QuerySet, Sum
from django.http import Http404

from directory.selectors import is_administrator

from .choices import FlagStatus, ObligationStatus
from .models import ElectronicReceipt, FeeObligation, PaymentAttempt, ReconciliationFlag, StatementImport
from .permissions import can_view_payments, reconciling_agencies


def _dossier_model():
    return apps.get_model("dossiers", "Dossier")


def dossier_for_payment(user, code: str):
    """The dossier with this code if the user may see its payments; 404 otherwise (no existence leak)."""
    dossier = (
        _dossier_model()
        .objects.select_related("procedure_version", "receiving_agency", "applicant")
        .filter(code=code)
        .first()
    )
    if dossier is None or not can_view_payments(user, dossier):
        raise Http404("Không tìm thấy hồ sơ.")
    return dossier


def obligations_for(dossier) -> QuerySet[FeeObligation]:
    return FeeObligation.objects.filter(dossier=dossier).order_by("id")


def due_total(dossier) -> Decimal:
    total = obligations_for(dossier).filter(status=ObligationStatus.DUE).aggregate(s=Sum("amount"))["s"]
    return total or Decimal("0")


def attempts_for(dossier) -> QuerySet[PaymentAttempt]:
    return PaymentAttempt.objects.filter(dossier=dossier).order_by("-created_at", "-id")


def receipts_for(dossier) -> QuerySet[ElectronicReceipt]:
    return ElectronicReceipt.objects.filter(dossier=dossier).select_related("attempt").order_by("-issued_at", "-id")


def receipt_for(user, number: str) -> ElectronicReceipt:
    receipt = ElectronicReceipt.objects.select_related("dossier").filter(number=number).first()
    if receipt is None or not can_view_payments(user, receipt.dossier):
        raise Http404("Không tìm thấy biên lai.")
    return receipt


def attempt_for(user, reference: str) -> PaymentAttempt:
    attempt = PaymentAttempt.objects.select_related("dossier").filter(provider_reference=reference).first()
    if attempt is None or not can_view_payments(user, attempt.dossier):
        raise Http404("Không tìm thấy giao dịch.")
    return attempt


def flags_for(user, *, status: str | None = FlagStatus.OPEN) -> QuerySet[ReconciliationFlag]:
    """Flags an official may resolve: those of dossiers their agency receives; administrators see all."""
    qs = ReconciliationFlag.objects.select_related("dossier", "attempt", "resolved_by")
    if status:
        qs = qs.filter(status=status)
    if is_administrator(user):
        return qs
    agencies = reconciling_agencies(user)
    if not agencies:
        return qs.none()
    return qs.filter(dossier__receiving_agency_id__in=agencies)


def flag_for(user, pk: int) -> ReconciliationFlag:
    flag = flags_for(user, status=None).filter(pk=pk).first()
    if flag is None:
        raise Http404("Không tìm thấy sai lệch.")
    return flag


def statement_imports_for(user) -> QuerySet[StatementImport]:
    qs = StatementImport.objects.select_related("imported_by")
    return qs if is_administrator(user) else qs.filter(imported_by=user)
