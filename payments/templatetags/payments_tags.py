from django import template

from core import formats

register = template.Library()


@register.filter
def vnd(value) -> str:
    """150000 -> "150.000 đ" (core.formats.vnd: Vietnamese grouping with dots, whole đồng)."""
    return formats.vnd(value)
