from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def vnd(value) -> str:
    """An amount of đồng with Vietnamese thousands separators: 135000 → "135.000"."""
    try:
        amount = int(Decimal(str(value)))
    except (InvalidOperation, ValueError, TypeError):
        return ""
    return f"{amount:,}".replace(",", ".")
