"""The dossier register page (Sổ theo dõi hồ sơ, Thông tư 01/2018/TT-VPCP, mẫu số 06): choose the agency and
the dates, download PDF or XLSX. Only the desk officers and leaders of the agency (selectors.register_for)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directory.models import Agency

from . import register, selectors

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RegisterForm(forms.Form):
    agency = forms.CharField(label=gettext_lazy("Cơ quan"), max_length=35)
    date_from = forms.DateField(label=gettext_lazy("Từ ngày"), input_formats=DATE_FORMATS)
    date_to = forms.DateField(label=gettext_lazy("Đến ngày"), input_formats=DATE_FORMATS)
    output = forms.ChoiceField(
        label=gettext_lazy("Định dạng"), choices=[("pdf", "PDF"), ("xlsx", "XLSX (Excel)")], initial="pdf"
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("Ngày kết thúc phải sau hoặc trùng ngày bắt đầu."))
            if (end - start).days >= selectors.REGISTER_MAX_DAYS:
                raise forms.ValidationError(_("Mỗi lần in tối đa 366 ngày."))
        return data


@login_required
def register_book(request):
    agencies = selectors.register_agencies_for(request.user)
    if not agencies:
        raise PermissionDenied(_("Chỉ cán bộ một cửa và lãnh đạo của cơ quan được in sổ theo dõi hồ sơ."))
    today = timezone.localdate()
    params = {
        "agency": request.GET.get("co-quan", ""),
        "date_from": request.GET.get("tu-ngay", ""),
        "date_to": request.GET.get("den-ngay", ""),
        "output": request.GET.get("dinh-dang", "pdf"),
    }
    if not params["agency"] and not params["date_from"]:
        initial = {
            "agency": agencies[0].code,
            "date_from": (today - timedelta(days=today.day - 1)).strftime("%d/%m/%Y"),
            "date_to": today.strftime("%d/%m/%Y"),
        }
        return render(
            request, "dossiers/register_book.html", {"form": RegisterForm(initial=initial), "agencies": agencies}
        )
    form = RegisterForm(params)
    if not form.is_valid():
        return render(request, "dossiers/register_book.html", {"form": form, "agencies": agencies}, status=400)
    agency = Agency.objects.filter(code=form.cleaned_data["agency"]).select_related("parent").first()
    if agency is None:
        form.add_error("agency", _("Không tìm thấy cơ quan."))
        return render(request, "dossiers/register_book.html", {"form": form, "agencies": agencies}, status=400)
    start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    dossiers = selectors.register_for(request.user, agency=agency, date_from=start, date_to=end)
    name = f"so-theo-doi-ho-so-{agency.code}-{start:%Y%m%d}-{end:%Y%m%d}"
    if form.cleaned_data["output"] == "xlsx":
        data = register.render_xlsx(agency=agency, dossiers=dossiers, date_from=start, date_to=end)
        response = HttpResponse(data, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    else:
        data = register.render_pdf(agency=agency, dossiers=dossiers, date_from=start, date_to=end)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
