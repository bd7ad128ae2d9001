from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def vnd(value) -> str:
    """150000 -> "150.000 đ" (Vietnamese grouping with dots, whole đồng)."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return f"{number:,.0f}".replace(",", ".") + " đ"
