"""Pages of the payments app: the citizen's payment page, the demo bank, the counter, reconciliation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import media

from . import permissions, selectors, services
from .choices import AttemptStatus, FlagStatus, ObligationStatus
from .forms import CounterPaymentForm, FlagResolveForm, StatementImportForm
from .models import PaymentAttempt
from .providers import enabled_providers, get_provider
from .vietqr import render_svg


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(str(m) for errors in exc.message_dict.values() for m in errors)
    return " ".join(str(m) for m in exc.messages)


def payment_summary(obligations) -> dict:
    due = [o for o in obligations if o.status == ObligationStatus.DUE]
    paid = [o for o in obligations if o.status == ObligationStatus.PAID]
    if not obligations:
        state, label = "none", _("Hồ sơ không có khoản phí, lệ phí phải nộp")
    elif due:
        state, label = "due", _("Chưa thanh toán")
    else:
        state, label = "paid", _("Đã thanh toán")
    return {
        "state": state,
        "label": label,
        "due_total": sum(o.amount for o in due),
        "paid_total": sum(o.amount for o in paid),
    }


@login_required
def dossier_payments(request, code):
    dossier = selectors.dossier_for_payment(request.user, code)
    obligations = list(selectors.obligations_for(dossier))
    summary = payment_summary(obligations)
    attempts = list(selectors.attempts_for(dossier)[:10])
    qr_attempt = next((a for a in attempts if a.qr_payload and a.status == AttemptStatus.PENDING), None)
    providers = []
    if summary["state"] == "due" and permissions.can_pay_online(request.user, dossier):
        providers = enabled_providers()
    context = {
        "dossier": dossier,
        "obligations": obligations,
        "summary": summary,
        "attempts": attempts,
        "receipts": list(selectors.receipts_for(dossier)),
        "providers": providers,
        "qr_attempt": qr_attempt,
        "qr_svg": render_svg(qr_attempt.qr_payload) if qr_attempt else "",
        "qr_info": (qr_attempt.raw or {}).get("start", {}) if qr_attempt else {},
        "can_counter": summary["state"] == "due" and permissions.can_collect_at_counter(request.user, dossier),
    }
    return render(request, "payments/dossier.html", context)


@login_required
@require_POST
def payment_start_view(request, code):
    dossier = selectors.dossier_for_payment(request.user, code)
    provider = request.POST.get("provider", "")
    try:
        attempt = services.payment_start(dossier=dossier, provider=provider, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("payments:dossier", code=code)
    if attempt.redirect_url:
        return redirect(attempt.redirect_url)
    messages.info(request, _("Quét mã VietQR bằng ứng dụng ngân hàng và giữ nguyên nội dung chuyển khoản."))
    return redirect("payments:dossier", code=code)


@login_required
@require_http_methods(["GET", "POST"])
def demo_bank(request, reference):
    """The pretend bank's checkout page. Its buttons make it send a signed webhook, as a bank would.

    Only the person who started the payment sees it (a bank's checkout is bound to its payer's session):
    anyone else, signed in or not, gets the same 404 as for an unknown reference.
    """
    try:
        provider = get_provider("demo")
    except LookupError:
        raise Http404 from None
    attempt = (
        PaymentAttempt.objects.select_related("dossier")
        .filter(provider="demo", provider_reference=reference, started_by=request.user)
        .first()
    )
    if attempt is None:
        raise Http404
    if request.method == "POST":
        if attempt.status not in (AttemptStatus.CREATED, AttemptStatus.PENDING):
            messages.warning(request, _("Giao dịch này đã kết thúc."))
        else:
            outcome = "succeeded" if request.POST.get("action") == "pay" else "failed"
            body, headers = provider.build_webhook(
                reference=attempt.provider_reference, status=outcome, amount=attempt.amount
            )
            services.payment_handle_webhook(provider="demo", headers=headers, body=body)
            return redirect(reverse("payments:return", args=["demo", reference]) + f"?status={outcome}")
    return render(request, "payments/demo_bank.html", {"attempt": attempt, "provider": provider})


@login_required
def payment_return(request, provider, reference):
    try:
        attempt = services.payment_handle_return(
            provider=provider, reference=reference, params=request.GET, actor=request.user
        )
    except LookupError:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("core:home")
    if attempt.status == AttemptStatus.SUCCEEDED:
        messages.success(request, _("Thanh toán thành công. Biên lai điện tử đã được lập."))
    elif attempt.status == AttemptStatus.FAILED:
        messages.error(request, _("Giao dịch không thành công hoặc đã bị hủy. Bạn có thể thanh toán lại."))
    elif attempt.status == AttemptStatus.MISMATCH:
        messages.warning(request, _("Giao dịch có sai lệch và đang được cán bộ đối soát."))
    else:
        messages.info(request, _("Đang chờ xác nhận từ ngân hàng. Trang sẽ cập nhật khi có kết quả."))
    return redirect("payments:dossier", code=attempt.dossier.code)


@login_required
def receipt_view(request, number):
    receipt = selectors.receipt_for(request.user, number)
    paid = receipt.attempt.obligations.order_by("id")
    return render(request, "payments/receipt.html", {"receipt": receipt, "obligations": paid})


@login_required
def receipt_download(request, number):
    receipt = selectors.receipt_for(request.user, number)
    if not receipt.pdf:
        raise Http404(_("Biên lai đang được lập, vui lòng thử lại sau ít phút."))
    return media.file_response(
        request, receipt.pdf.name, inline=False, filename=f"{receipt.number}.pdf", content_type="application/pdf"
    )


@login_required
@require_http_methods(["GET", "POST"])
def counter_payment_view(request, code):
    dossier = selectors.dossier_for_payment(request.user, code)
    if not permissions.can_collect_at_counter(request.user, dossier):
        raise PermissionDenied(_("Chỉ cán bộ một cửa của cơ quan tiếp nhận hồ sơ mới được thu phí tại quầy."))
    due = list(selectors.obligations_for(dossier).filter(status=ObligationStatus.DUE))
    form = CounterPaymentForm(request.POST or None, obligations=due)
    if request.method == "POST" and form.is_valid():
        obligation = next(o for o in due if o.pk == form.cleaned_data["obligation"])
        try:
            services.counter_payment_record(
                obligation=obligation,
                actor=request.user,
                amount=form.cleaned_data["amount"],
                reference=form.cleaned_data["reference"],
            )
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, _("Đã ghi nhận khoản thu tại quầy và lập biên lai."))
            return redirect("payments:dossier", code=code)
    return render(request, "payments/counter.html", {"dossier": dossier, "form": form, "due": due})


def _attach_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _require_reconciler(user) -> None:
    if not permissions.can_reconcile(user):
        raise PermissionDenied(_("Bạn không có quyền đối soát thanh toán."))


@login_required
def flag_list(request):
    _require_reconciler(request.user)
    status = request.GET.get("trang_thai", FlagStatus.OPEN)
    if status not in FlagStatus.values:
        status = None
    flags = list(selectors.flags_for(request.user, status=status)[:200])
    return render(
        request, "payments/flags.html", {"flags": flags, "status": status or "all", "statuses": FlagStatus.choices}
    )


@login_required
@require_http_methods(["GET", "POST"])
def flag_detail(request, pk):
    _require_reconciler(request.user)
    flag = selectors.flag_for(request.user, pk)
    form = FlagResolveForm(request.POST or None)
    if request.method == "POST" and flag.status == FlagStatus.OPEN and form.is_valid():
        try:
            services.flag_resolve(
                flag=flag,
                actor=request.user,
                resolution=form.cleaned_data["resolution"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, _("Đã xử lý sai lệch."))
            return redirect("payments:flags")
    return render(request, "payments/flag_detail.html", {"flag": flag, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def statement_import_view(request):
    _require_reconciler(request.user)
    form = StatementImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.statement_import(actor=request.user, file_name=upload.name, data=upload.read())
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Đã nhập sao kê: %(paid)s dòng khớp, %(flagged)s sai lệch, "
                    "%(unmatched)s không xác định, %(dup)s đã nhập trước."
                )
                % {
                    "paid": result.paid_count,
                    "flagged": result.flagged_count,
                    "unmatched": result.unmatched_count,
                    "dup": result.duplicate_count,
                },
            )
    imports = list(selectors.statement_imports_for(request.user)[:10])
    return render(request, "payments/statement_import.html", {"form": form, "result": result, "imports": imports})
