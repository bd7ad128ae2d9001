"""Writes of the payments app. Each public function is one state change: one transaction, one audit event.

The money rules:
- a payment counts only when an authenticated source says so: a webhook with a valid signature, a
  server-to-server status query, a bank statement imported by an authorised official, or an official
  recording a payment at the counter. A browser return is never trusted;
- an event is applied once: (provider, event id) is unique among authenticated events;
- an amount or reference that does not match what is owed is flagged for an official and never paid;
- when every obligation of a dossier is paid, the dossier is told (dossiers.services.dossier_payment_settled).
"""

from __future__ import annotations

import hashlib
import logging
import re
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core import audit, formats
from core.tasks import enqueue_after_commit
from directory.choices import Role

from . import permissions, selectors
from .choices import (
    OPEN_ATTEMPT_STATUSES,
    AttemptStatus,
    EventOutcome,
    FlagKind,
    FlagResolution,
    FlagStatus,
    ObligationStatus,
)
from .models import (
    DEFAULT_RECEIPT_FORM_CODE,
    DEFAULT_RECEIPT_SYMBOL,
    ElectronicReceipt,
    FeeObligation,
    PaymentAttempt,
    PaymentEvent,
    ReceiptCounter,
    ReceiptSeries,
    ReconciliationFlag,
    StatementImport,
)
from .providers import COUNTER, ProviderEvent, get_provider
from .statement import StatementLine, parse_statement
from .vietqr import compact

logger = logging.getLogger("cqs.payments")

# Dossier statuses in which nothing may be paid any more.
_CLOSED_DOSSIER = frozenset({"refused", "stopped"})


# -- helpers -----------------------------------------------------------------------------------------
def _money(value) -> str:
    return formats.vnd(value)


def _attempt_state(attempt: PaymentAttempt) -> dict:
    return {
        "reference": attempt.provider_reference,
        "status": attempt.status,
        "amount": str(attempt.amount),
        "provider": attempt.provider,
    }


def _notify(**kwargs) -> None:
    """notifications.services.notify if the app is there; delivery happens after commit."""
    try:
        from notifications.services import notify
    except ImportError:  # pragma: no cover - notifications is part of the platform
        return
    try:
        notify(**kwargs)
    except ValueError:
        logger.exception("notification refused")


def _notify_reconcilers(flag: ReconciliationFlag) -> None:
    from directory.models import StaffPosition

    positions = StaffPosition.objects.filter(is_active=True).select_related("user")
    if flag.dossier_id:
        positions = positions.filter(agency_id=flag.dossier.receiving_agency_id, role=Role.ONE_STOP_OFFICER)
    else:
        positions = positions.filter(role=Role.ADMINISTRATOR)
    link = reverse("payments:flag_detail", args=[flag.pk])
    seen = set()
    for position in positions[:50]:
        if position.user_id in seen:
            continue
        seen.add(position.user_id)
        _notify(
            user=position.user,
            subject="Khoản thanh toán cần đối soát",
            body=f"{flag.get_kind_display()}: {flag.details}",
            link=link,
            channels=("inapp", "email"),
        )


def _flag(
    *,
    kind: str,
    provider: str,
    dossier=None,
    attempt=None,
    event=None,
    expected=None,
    received=None,
    reference: str = "",
    details: str = "",
) -> ReconciliationFlag:
    flag = ReconciliationFlag(
        kind=kind,
        provider=provider,
        dossier=dossier,
        attempt=attempt,
        event=event,
        expected_amount=expected,
        received_amount=received,
        reference=reference[:300],
        details=details,
    )
    flag.full_clean()
    flag.save()
    _notify_reconcilers(flag)
    return flag


def _settle_if_complete(dossier) -> bool:
    """Tell the dossier when nothing is due any more. Inside the caller's transaction."""
    if FeeObligation.objects.filter(dossier=dossier, status=ObligationStatus.DUE).exists():
        return False
    try:
        from dossiers.services import dossier_payment_settled
    except ImportError:
        return False
    dossier.refresh_from_db(fields=["status"])
    if dossier.status != "payment_requested":
        return False
    dossier_payment_settled(dossier=dossier, actor=None)
    return True


def collecting_series(dossier) -> ReceiptSeries:
    """The receipt series of the organisation that collects the dossier's fees.

    The competent agency's active series when it has one (the agency that charges the fee, Luật Phí và
    lệ phí 2015), else the receiving agency's; an agency without any gets one with the default form code
    and series (settings PAYMENT_RECEIPT_FORM_CODE / PAYMENT_RECEIPT_SYMBOL) so that no payment waits for
    configuration — its tax code is then blank until an administrator fills it in.
    """
    for agency_id in (dossier.competent_agency_id, dossier.receiving_agency_id):
        if agency_id is None:
            continue
        series = ReceiptSeries.objects.filter(agency_id=agency_id, is_active=True).select_related("agency").first()
        if series is not None:
            return series
    from django.conf import settings

    series, _created = ReceiptSeries.objects.get_or_create(
        agency_id=dossier.receiving_agency_id,
        is_active=True,
        defaults={
            "form_code": getattr(settings, "PAYMENT_RECEIPT_FORM_CODE", DEFAULT_RECEIPT_FORM_CODE),
            "symbol": getattr(settings, "PAYMENT_RECEIPT_SYMBOL", DEFAULT_RECEIPT_SYMBOL),
        },
    )
    return series


def receipt_number_next(*, series: ReceiptSeries, year: int) -> int:
    """The next number of a series in a year, inside the caller's transaction.

    The counter row is locked until the caller commits, so concurrent payments get consecutive numbers and
    a payment that rolls back gives its number back: numbers never repeat or skip (Nghị định 123/2020/NĐ-CP,
    Điều 32; Thông tư 78/2021/TT-BTC, Điều 6 — numbers run per series within the year).
    """
    counter, _created = ReceiptCounter.objects.select_for_update().get_or_create(series=series, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _pay(*, attempt: PaymentAttempt, obligations: list[FeeObligation], external_id: str = "") -> ElectronicReceipt:
    """Mark obligations paid by this attempt, create the receipt, settle the dossier. Caller holds the locks."""
    now = timezone.now()
    for obligation in obligations:
        obligation.status = ObligationStatus.PAID
        obligation.paid_at = now
        obligation.paid_by = attempt
        obligation.save(update_fields=["status", "paid_at", "paid_by"])
    attempt.status = AttemptStatus.SUCCEEDED
    attempt.paid_at = now
    if external_id:
        attempt.external_id = external_id[:100]
    attempt.save(update_fields=["status", "paid_at", "external_id", "updated_at"])
    dossier = attempt.dossier
    series = collecting_series(dossier)
    year = timezone.localtime(now).year
    sequence = receipt_number_next(series=series, year=year)
    symbol = series.symbol_for(year)
    paid = sorted(obligations, key=lambda o: o.pk)
    receipt = ElectronicReceipt.objects.create(
        # the receipt's address: the same series symbol may be registered by several organisations (a receipt
        # is identified by the collector's tax code, form, symbol and number), so the collector comes first
        number=f"{series.agency.code}-{symbol}-{sequence:07d}".replace("/", "-"),
        series=series,
        form_code=series.form_code,
        symbol=symbol,
        year=year,
        sequence=sequence,
        collector_name=series.collector[:300],
        collector_tax_code=series.tax_code,
        fee_name="; ".join(o.description for o in paid)[:600],
        amount_in_words=formats.amount_in_words(attempt.amount),
        dossier=dossier,
        attempt=attempt,
        amount=attempt.amount,
        payer_name=dossier.applicant_name or (dossier.applicant.display_name if dossier.applicant_id else ""),
        issued_at=now,
    )
    from .tasks import issue_receipt

    enqueue_after_commit(issue_receipt, receipt.pk)
    _notify(
        user=dossier.applicant if dossier.applicant_id else None,
        email=dossier.applicant_email,
        subject=f"Đã nhận thanh toán phí, lệ phí hồ sơ {dossier.code}",
        body=f"Đã nhận {_money(attempt.amount)} cho hồ sơ {dossier.code}. Biên lai điện tử số {receipt.number}.",
        link=reverse("payments:dossier", args=[dossier.code]),
        channels=("inapp", "email"),
    )
    _settle_if_complete(dossier)
    return receipt


# -- obligations -------------------------------------------------------------------------------------
def obligations_create(*, dossier, actor) -> list[FeeObligation]:
    """Create the dossier's obligations from its procedure version's fee table. Idempotent.

    Called by dossiers.services.dossier_request_payment inside its transaction. Fees of 0 đồng are skipped.
    """
    with transaction.atomic():
        existing = {o.fee_id for o in FeeObligation.objects.select_for_update().filter(dossier=dossier)}
        created = []
        for fee in dossier.procedure_version.fees.all().order_by("id"):
            if fee.id in existing or fee.amount <= 0:
                continue
            obligation = FeeObligation(
                dossier=dossier, fee=fee, kind=fee.kind, description=fee.name[:300], amount=fee.amount
            )
            obligation.full_clean(validate_constraints=False)
            obligation.save()
            created.append(obligation)
        if created:
            audit.record(
                actor=actor,
                action="payment.obligations_create",
                obj=dossier,
                after={
                    "obligations": [
                        {"id": o.pk, "description": o.description, "amount": str(o.amount)} for o in created
                    ]
                },
            )
        return list(selectors.obligations_for(dossier).exclude(status=ObligationStatus.CANCELLED))


# -- online payment ----------------------------------------------------------------------------------
def payment_start(*, dossier, provider: str, actor, return_url: str = "") -> PaymentAttempt:
    """Start paying everything due on the dossier through a provider; returns the attempt with its
    redirect URL (demo / card gateways) or QR payload (VietQR). An open attempt for the same provider
    and amount is reused, so reloading the page does not create a new transfer code."""
    if not permissions.can_pay_online(actor, dossier):
        raise PermissionDenied("Chỉ người nộp hồ sơ mới thanh toán trực tuyến được cho hồ sơ này.")
    try:
        plugin = get_provider(provider)
    except LookupError:
        raise ValidationError({"provider": ["Hình thức thanh toán không được hỗ trợ."]}) from None
    if dossier.status in _CLOSED_DOSSIER:
        raise ValidationError("Hồ sơ đã dừng hoặc bị từ chối, không thể thanh toán.")
    with transaction.atomic():
        due = list(
            FeeObligation.objects.select_for_update()
            .filter(dossier=dossier, status=ObligationStatus.DUE)
            .order_by("id")
        )
        if not due:
            raise ValidationError("Hồ sơ không còn khoản phí, lệ phí nào phải thanh toán.")
        total = sum((o.amount for o in due), Decimal("0"))
        due_ids = {o.pk for o in due}
        for open_attempt in PaymentAttempt.objects.filter(
            dossier=dossier, provider=provider, status__in=OPEN_ATTEMPT_STATUSES
        ).prefetch_related("obligations"):
            if open_attempt.amount == total and {o.pk for o in open_attempt.obligations.all()} == due_ids:
                return open_attempt
        attempt = PaymentAttempt(provider=provider, dossier=dossier, amount=total, started_by=actor)
        attempt.full_clean()
        attempt.save()
        attempt.obligations.set(due)
        return_url = return_url or reverse("payments:return", args=[provider, attempt.provider_reference])
        result = plugin.start_payment(attempt, return_url=return_url)
        attempt.redirect_url = result.redirect_url
        attempt.qr_payload = result.qr_payload
        attempt.raw = {"start": result.data}
        attempt.status = AttemptStatus.PENDING
        attempt.save(update_fields=["redirect_url", "qr_payload", "raw", "status", "updated_at"])
        audit.record(actor=actor, action="payment.start", obj=attempt, after=_attempt_state(attempt))
        return attempt


def payment_handle_return(*, provider: str, reference: str, params, actor) -> PaymentAttempt:
    """The payer came back from the provider. The return itself proves nothing; if the attempt is still
    open and the provider can be asked server-to-server, ask it and apply the answer."""
    attempt = selectors.attempt_for(actor, reference)
    if attempt.provider != provider:
        raise ValidationError("Mã giao dịch không thuộc hình thức thanh toán này.")
    plugin = get_provider(provider)
    plugin.handle_return(attempt, params)
    if attempt.status in OPEN_ATTEMPT_STATUSES:
        answer = plugin.query_status(attempt)
        if answer is not None:
            _apply_event(provider=provider, event=answer, source=PaymentEvent.Source.QUERY, body="")
            attempt.refresh_from_db()
    return attempt


def payment_handle_webhook(*, provider: str, headers, body: bytes) -> PaymentEvent:
    """A provider's callback. Signature checked over the raw body; unknown provider -> LookupError;
    bad signature -> the forged message is logged and PermissionDenied raised; nothing is paid."""
    plugin = get_provider(provider)
    text = body.decode("utf-8", errors="replace")[:20000]
    if not plugin.verify_webhook(headers, body):
        with transaction.atomic():
            forged = PaymentEvent.objects.create(
                provider=provider,
                event_id=f"unverified:{hashlib.sha256(body).hexdigest()}",
                source=PaymentEvent.Source.WEBHOOK,
                signature_valid=False,
                body=text[:2000],
                outcome=EventOutcome.REJECTED,
                detail="Chữ ký không hợp lệ hoặc thiếu.",
            )
            audit.record(
                actor=None,
                action="payment.webhook_rejected",
                obj=forged,
                after={"provider": provider, "outcome": forged.outcome},
            )
        raise PermissionDenied("Chữ ký của thông báo thanh toán không hợp lệ.")
    event = plugin.parse_webhook(body)
    return _apply_event(provider=provider, event=event, source=PaymentEvent.Source.WEBHOOK, body=text)


def _apply_event(*, provider: str, event: ProviderEvent, source: str, body: str) -> PaymentEvent:
    """Apply one authenticated provider event, exactly once."""
    try:
        with transaction.atomic():
            return _apply_event_locked(provider=provider, event=event, source=source, body=body)
    except IntegrityError:
        # The same event arrived twice at the same moment; the other delivery applied it.
        existing = PaymentEvent.objects.filter(provider=provider, event_id=event.event_id, signature_valid=True).first()
        if existing is None:
            raise
        existing.replayed = True
        return existing


def _apply_event_locked(*, provider: str, event: ProviderEvent, source: str, body: str) -> PaymentEvent:
    existing = PaymentEvent.objects.filter(provider=provider, event_id=event.event_id, signature_valid=True).first()
    if existing is not None:
        existing.replayed = True
        return existing
    attempt = (
        PaymentAttempt.objects.select_for_update(of=("self",))
        .select_related("dossier", "dossier__applicant")
        .filter(provider=provider, provider_reference=event.reference)
        .first()
    )
    record = PaymentEvent(
        provider=provider,
        event_id=event.event_id,
        source=source,
        signature_valid=True,
        attempt=attempt,
        reference=event.reference,
        amount=event.amount,
        body=body,
    )
    before = _attempt_state(attempt) if attempt else None
    flag = None
    if attempt is None:
        record.outcome = EventOutcome.UNMATCHED
        record.detail = "Mã tham chiếu không khớp giao dịch nào."
    elif attempt.status in (AttemptStatus.SUCCEEDED, AttemptStatus.MISMATCH):
        record.outcome = EventOutcome.ALREADY_FINAL
        record.detail = f"Giao dịch đã ở trạng thái “{attempt.get_status_display()}”."
    elif event.status == "failed":
        attempt.status = AttemptStatus.FAILED
        attempt.raw = {**attempt.raw, "last_event": event.raw}
        attempt.save(update_fields=["status", "raw", "updated_at"])
        record.outcome = EventOutcome.FAILED
    else:
        obligations = list(attempt.obligations.select_for_update(of=("self",)).order_by("id"))
        if event.amount != attempt.amount:
            record.outcome = EventOutcome.FLAGGED
            record.detail = f"Số tiền nhận {_money(event.amount)} khác số phải nộp {_money(attempt.amount)}."
            kind = FlagKind.AMOUNT_MISMATCH
        elif any(o.status != ObligationStatus.DUE for o in obligations):
            record.outcome = EventOutcome.FLAGGED
            record.detail = "Khoản phí đã được thanh toán bằng giao dịch khác; có thể phải hoàn trả."
            kind = FlagKind.ALREADY_PAID
        else:
            kind = None
        if kind:
            attempt.status = AttemptStatus.MISMATCH
            attempt.external_id = event.external_id
            attempt.save(update_fields=["status", "external_id", "updated_at"])
        else:
            record.outcome = EventOutcome.PAID
            _pay(attempt=attempt, obligations=obligations, external_id=event.external_id)
    record.full_clean(validate_constraints=False)
    record.save()
    if record.outcome == EventOutcome.UNMATCHED:
        flag = _flag(
            kind=FlagKind.REFERENCE_MISMATCH,
            provider=provider,
            event=record,
            received=event.amount,
            reference=event.reference,
            details=f"Thông báo từ {provider} với mã tham chiếu “{event.reference}” không khớp giao dịch nào.",
        )
    elif record.outcome == EventOutcome.FLAGGED:
        flag = _flag(
            kind=kind,
            provider=provider,
            dossier=attempt.dossier,
            attempt=attempt,
            event=record,
            expected=attempt.amount,
            received=event.amount,
            reference=event.reference,
            details=f"Hồ sơ {attempt.dossier.code}: {record.detail}",
        )
    audit.record(
        actor=None,
        action=f"payment.{source}",
        obj=attempt or record,
        before=before,
        after={
            "event": event.event_id,
            "outcome": record.outcome,
            "attempt": _attempt_state(attempt) if attempt else None,
            "flag": flag.pk if flag else None,
        },
    )
    return record


# -- at the counter ----------------------------------------------------------------------------------
def counter_payment_record(*, obligation: FeeObligation, actor, amount, reference: str) -> PaymentAttempt:
    """The one-stop officer of the receiving agency records a fee paid at the desk (cash, card on POS)."""
    dossier = obligation.dossier
    if not permissions.can_collect_at_counter(actor, dossier):
        raise PermissionDenied("Chỉ cán bộ một cửa của cơ quan tiếp nhận hồ sơ mới được thu phí tại quầy.")
    reference = (reference or "").strip()
    errors = {}
    try:
        amount = Decimal(str(amount))
    except Exception:  # noqa: BLE001 - any unreadable amount is the same user error
        errors["amount"] = ["Số tiền không hợp lệ."]
    else:
        if amount != obligation.amount:
            errors["amount"] = [f"Số tiền thu phải đúng {_money(obligation.amount)}."]
    if not reference:
        errors["reference"] = ["Nhập số biên lai hoặc mã giao dịch POS."]
    elif len(reference) > 100:
        errors["reference"] = ["Số biên lai tối đa 100 ký tự."]
    if errors:
        raise ValidationError(errors)
    if dossier.status in _CLOSED_DOSSIER:
        raise ValidationError("Hồ sơ đã dừng hoặc bị từ chối, không thể thu phí.")
    with transaction.atomic():
        locked = FeeObligation.objects.select_for_update().get(pk=obligation.pk)
        if locked.status != ObligationStatus.DUE:
            raise ValidationError(f"Khoản “{locked.description}” không còn ở trạng thái chưa thanh toán.")
        attempt = PaymentAttempt(
            provider=COUNTER,
            dossier=dossier,
            amount=amount,
            started_by=actor,
            external_id=reference,
            raw={"counter_reference": reference},
        )
        attempt.full_clean()
        attempt.save()
        attempt.obligations.set([locked])
        _pay(attempt=attempt, obligations=[locked], external_id=reference)
        audit.record(actor=actor, action="payment.counter", obj=attempt, after=_attempt_state(attempt))
        obligation.refresh_from_db()
        return attempt


# -- reconciliation ----------------------------------------------------------------------------------
def flag_resolve(*, flag: ReconciliationFlag, actor, resolution: str, note: str) -> ReconciliationFlag:
    """An official decides what a flagged payment was. ``accept`` records the dossier's due fees as paid
    (the official has checked the money arrived in full); ``refund`` and ``dismiss`` pay nothing."""
    if (
        not permissions.can_reconcile(actor)
        or (flag.dossier_id and not permissions.can_reconcile_dossier(actor, flag.dossier))
        or (not flag.dossier_id and not permissions.can_resolve_unmatched(actor))
    ):
        raise PermissionDenied("Bạn không có quyền xử lý sai lệch này.")
    if resolution not in FlagResolution.values:
        raise ValidationError({"resolution": ["Chọn cách xử lý."]})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": ["Ghi rõ căn cứ xử lý (ví dụ: đã đối chiếu sao kê ngày …)."]})
    with transaction.atomic():
        flag = ReconciliationFlag.objects.select_for_update().get(pk=flag.pk)
        if flag.status != FlagStatus.OPEN:
            raise ValidationError("Sai lệch này đã được xử lý.")
        before = {"status": flag.status}
        if resolution == FlagResolution.ACCEPT:
            if not flag.dossier_id:
                raise ValidationError("Không thể ghi nhận thanh toán khi chưa xác định được hồ sơ.")
            due = list(
                FeeObligation.objects.select_for_update()
                .filter(dossier=flag.dossier, status=ObligationStatus.DUE)
                .order_by("id")
            )
            if not due:
                raise ValidationError("Hồ sơ không còn khoản nào phải nộp; hãy chọn hoàn trả hoặc bỏ qua.")
            total = sum((o.amount for o in due), Decimal("0"))
            if flag.received_amount is not None and flag.received_amount < total:
                raise ValidationError(
                    f"Số tiền nhận được ({_money(flag.received_amount)}) ít hơn số phải nộp "
                    f"({_money(total)}); không thể ghi nhận là đã nộp đủ."
                )
            attempt = PaymentAttempt(
                provider=flag.provider or COUNTER,
                dossier=flag.dossier,
                amount=total,
                started_by=actor,
                raw={"resolved_flag": flag.pk},
            )
            attempt.save()
            attempt.obligations.set(due)
            _pay(
                attempt=attempt,
                obligations=due,
                external_id=(flag.attempt.external_id if flag.attempt_id else "") or f"flag-{flag.pk}",
            )
        flag.status = FlagStatus.RESOLVED
        flag.resolution = resolution
        flag.resolution_note = note
        flag.resolved_by = actor
        flag.resolved_at = timezone.now()
        flag.save()
        audit.record(
            actor=actor,
            action="payment.flag_resolve",
            obj=flag,
            before=before,
            after={"status": flag.status, "resolution": resolution, "note": note},
        )
        return flag


# How long after payment a dossier still takes part in matching (to catch money sent twice).
_RECENTLY_PAID_DAYS = 90


class _DossierIndex:
    """Dossiers that may receive a transfer, found by their compact code in a statement line's content.

    Codes end with YYMMDD + a 4-digit sequence, so they are indexed by those 10 digits: a line is matched
    by sliding over its content once, whatever the number of dossiers waiting for payment."""

    def __init__(self):
        from datetime import timedelta

        from django.apps import apps
        from django.db.models import Q

        Dossier = apps.get_model("dossiers", "Dossier")
        recent = timezone.now() - timedelta(days=_RECENTLY_PAID_DAYS)
        ids = FeeObligation.objects.filter(Q(status=ObligationStatus.DUE) | Q(paid_at__gte=recent)).values("dossier_id")
        self.by_tail: dict[str, list[tuple[str, object]]] = {}
        for dossier in Dossier.objects.filter(pk__in=ids).exclude(code__isnull=True):
            code = compact(dossier.code)
            if len(code) >= 10:
                self.by_tail.setdefault(code[-10:], []).append((code, dossier))
        self.attempts = {
            a.provider_reference: a
            for a in PaymentAttempt.objects.filter(status__in=OPEN_ATTEMPT_STATUSES).select_related("dossier")
        }

    def find(self, content: str):
        text = compact(content)
        for token in re.findall(r"TT\d{6}[A-Z2-9]{6}", text):
            if token in self.attempts:
                return self.attempts[token].dossier
        for end in range(len(text), 9, -1):
            for code, dossier in self.by_tail.get(text[end - 10 : end], ()):
                if text[max(0, end - len(code)) : end] == code:
                    return dossier
        return None


def _apply_statement_line(*, line: StatementLine, provider: str, actor, index: _DossierIndex) -> dict:
    result = {
        "line": line.line_no,
        "date": line.date.isoformat(),
        "amount": str(line.amount),
        "content": line.content,
        "reference": line.reference,
        "dossier": "",
    }
    event_id = f"statement:{line.key}"
    if PaymentEvent.objects.filter(provider=provider, event_id=event_id, signature_valid=True).exists():
        return {**result, "outcome": EventOutcome.DUPLICATE, "detail": "Dòng đã được nhập ở lần trước."}
    dossier = index.find(line.content)
    if dossier is not None and not permissions.can_reconcile_dossier(actor, dossier):
        return {
            **result,
            "outcome": EventOutcome.OUT_OF_SCOPE,
            "detail": "Hồ sơ không thuộc cơ quan của người nhập; để cơ quan tiếp nhận đối soát.",
        }
    with transaction.atomic():
        record = PaymentEvent(
            provider=provider,
            event_id=event_id,
            source=PaymentEvent.Source.STATEMENT,
            signature_valid=True,
            reference=line.reference or line.content[:200],
            amount=line.amount,
            body=f"{line.date.isoformat()} | {line.amount} | {line.content}",
        )
        flag = None
        attempt = None
        if dossier is None:
            record.outcome = EventOutcome.UNMATCHED
            record.detail = "Nội dung chuyển khoản không chứa mã hồ sơ nào đang phải nộp phí."
        else:
            result["dossier"] = dossier.code
            due = list(
                FeeObligation.objects.select_for_update()
                .filter(dossier=dossier, status=ObligationStatus.DUE)
                .order_by("id")
            )
            total = sum((o.amount for o in due), Decimal("0"))
            attempt = (
                PaymentAttempt.objects.select_for_update()
                .filter(dossier=dossier, provider=provider, status__in=OPEN_ATTEMPT_STATUSES)
                .order_by("-created_at")
                .first()
            )
            if not due:
                record.outcome = EventOutcome.FLAGGED
                record.detail = "Hồ sơ không còn khoản nào phải nộp (có thể nộp trùng)."
                kind = FlagKind.ALREADY_PAID
            elif line.amount != total:
                record.outcome = EventOutcome.FLAGGED
                record.detail = f"Số tiền chuyển {_money(line.amount)} khác số phải nộp {_money(total)}."
                kind = FlagKind.AMOUNT_MISMATCH
            else:
                kind = None
                record.outcome = EventOutcome.PAID
                if attempt is None or attempt.amount != total:
                    attempt = PaymentAttempt(
                        provider=provider, dossier=dossier, amount=total, started_by=actor, status=AttemptStatus.PENDING
                    )
                    attempt.save()
                attempt.obligations.set(due)
                _pay(attempt=attempt, obligations=due, external_id=line.reference)
            if kind and attempt is not None:
                attempt.status = AttemptStatus.MISMATCH
                attempt.save(update_fields=["status", "updated_at"])
            record.attempt = attempt
            if kind:
                record.save()
                flag = _flag(
                    kind=kind,
                    provider=provider,
                    dossier=dossier,
                    attempt=attempt,
                    event=record,
                    expected=total,
                    received=line.amount,
                    reference=line.reference or line.content,
                    details=f"Sao kê dòng {line.line_no}, hồ sơ {dossier.code}: {record.detail}",
                )
        if record.pk is None:
            record.save()
        audit.record(
            actor=actor,
            action="payment.statement_line",
            obj=attempt or record,
            after={
                "line": line.line_no,
                "outcome": record.outcome,
                "dossier": result["dossier"],
                "flag": flag.pk if flag else None,
            },
        )
    return {**result, "outcome": record.outcome, "detail": record.detail}


def statement_import(*, actor, file_name: str, data: bytes, provider: str = "vietqr") -> StatementImport:
    """Import a bank statement CSV (format in payments.statement). Each line is applied in its own
    transaction (with its own audit event), so a re-import is harmless: lines already seen are skipped.
    A line whose dossier belongs to an agency the official does not reconcile for is left untouched."""
    if not permissions.can_reconcile(actor):
        raise PermissionDenied("Bạn không có quyền đối soát thanh toán.")
    lines = parse_statement(data)
    index = _DossierIndex()
    results = [_apply_statement_line(line=line, provider=provider, actor=actor, index=index) for line in lines]
    counts = {k: sum(1 for r in results if r["outcome"] == k) for k in EventOutcome.values}
    with transaction.atomic():
        record = StatementImport.objects.create(
            provider=provider,
            file_name=(file_name or "sao-ke.csv")[:255],
            sha256=hashlib.sha256(data).hexdigest(),
            imported_by=actor,
            line_count=len(lines),
            paid_count=counts[EventOutcome.PAID],
            flagged_count=counts[EventOutcome.FLAGGED],
            unmatched_count=counts[EventOutcome.UNMATCHED] + counts[EventOutcome.OUT_OF_SCOPE],
            duplicate_count=counts[EventOutcome.DUPLICATE],
            results=[
                {**r, "outcome": str(r["outcome"]), "outcome_label": str(EventOutcome(r["outcome"]).label)}
                for r in results
            ],
        )
        audit.record(
            actor=actor,
            action="payment.statement_import",
            obj=record,
            after={
                "lines": len(lines),
                "paid": record.paid_count,
                "flagged": record.flagged_count,
                "unmatched": record.unmatched_count,
                "duplicates": record.duplicate_count,
            },
        )
    return record
