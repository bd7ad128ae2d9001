"""Permission-aware reads of payments. Every page and API asks here who may see or do what."""

from decimal import Decimal

from django.apps import apps
from django.db.models import QuerySet, Sum
from django.http import Http404

from directory.choices import Role
from directory.selectors import agencies_with_role, grants_for, has_role, is_administrator

from .choices import FlagStatus, ObligationStatus
from .models import ElectronicReceipt, FeeObligation, PaymentAttempt, ReconciliationFlag, StatementImport

# Roles whose holders may reconcile payments of the dossiers their agency receives.
RECONCILING_ROLES = (Role.ONE_STOP_OFFICER, Role.AGENCY_LEADER)


def _dossier_model():
    return apps.get_model("dossiers", "Dossier")


def is_staff_of_dossier(user, dossier) -> bool:
    """An official holding any role in the receiving or competent agency of the dossier."""
    agencies = {g.agency_id for g in grants_for(user)}
    return dossier.receiving_agency_id in agencies or dossier.competent_agency_id in agencies


def can_view_payments(user, dossier) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if dossier.applicant_id is not None and dossier.applicant_id == user.pk:
        return True
    return is_administrator(user) or is_staff_of_dossier(user, dossier)


def can_pay_online(user, dossier) -> bool:
    """Only the applicant pays online, from their own account."""
    return (
        getattr(user, "is_authenticated", False)
        and dossier.applicant_id is not None
        and dossier.applicant_id == user.pk
    )


def can_collect_at_counter(user, dossier) -> bool:
    return has_role(user, Role.ONE_STOP_OFFICER, agency_id=dossier.receiving_agency_id)


def reconciling_agencies(user) -> set[int]:
    return agencies_with_role(user, *RECONCILING_ROLES)


def can_reconcile(user) -> bool:
    """May open the reconciliation pages at all (each flag / line is then checked against the agency)."""
    return is_administrator(user) or bool(reconciling_agencies(user))


def can_reconcile_dossier(user, dossier) -> bool:
    if is_administrator(user):
        return True
    return dossier is not None and dossier.receiving_agency_id in reconciling_agencies(user)


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
