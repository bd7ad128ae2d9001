"""Forms of the periodic reports' pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _shown(value: Decimal | None) -> int | Decimal | None:
    """A whole figure without its decimals ("4", not "4.00")."""
    if value is not None and value == value.to_integral_value():
        return int(value)
    return value


class ValuesForm(forms.Form):
    """One number and one note per indicator of the report's template (fields `v_<code>`, `n_<code>`)."""

    def __init__(self, *args: Any, report: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.report = report
        self.rows = list(report.values.select_related("indicator").order_by("indicator__order", "indicator_id"))
        for row in self.rows:
            i = row.indicator
            self.fields[f"v_{i.code}"] = forms.DecimalField(
                label=i.name,
                required=False,
                min_value=0,
                max_digits=14,
                decimal_places=2,
                initial=_shown(row.value),
                help_text=f"{i.unit}. {i.definition}".strip(),
            )
            self.fields[f"n_{i.code}"] = forms.CharField(
                label=_("Ghi chú"), required=False, max_length=500, initial=row.note
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["values"] = {row.indicator.code: data.get(f"v_{row.indicator.code}") for row in self.rows}
        data["notes"] = {row.indicator.code: data.get(f"n_{row.indicator.code}") or "" for row in self.rows}
        return data

    def pairs(self) -> list[tuple[Any, Any, Any]]:
        return [(row, self[f"v_{row.indicator.code}"], self[f"n_{row.indicator.code}"]) for row in self.rows]


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Lý do trả lại"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class OpenPeriodForm(forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=2020, max_value=2100)
    number = forms.IntegerField(label=_("Kỳ (tháng, quý, nửa năm: số thứ tự)"), min_value=1, max_value=12)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["number"].initial = today.month
