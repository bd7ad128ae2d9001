from decimal import Decimal, InvalidOperation

from django import template

from core import formats

register = template.Library()


@register.filter
def vnd(value) -> str:
    """An amount of đồng with Vietnamese thousands separators: 135000 → "135.000"."""
    try:
        Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return ""
    return formats.group_thousands(value)
