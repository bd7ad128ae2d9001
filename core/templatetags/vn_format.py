"""Template filters of core.formats, loaded in every template (settings TEMPLATES OPTIONS builtins):
`{{ d.due_at|vn_datetime }}`, `{{ d.received_at|vn_date }}`, `{{ amount|vnd }}`, `{{ flag|yes_no }}`,
`{{ value|display_value }}`."""

from django import template

from core import formats

register = template.Library()

register.filter("vn_date", formats.vn_date)
register.filter("vn_datetime", formats.vn_datetime)
register.filter("vnd", formats.vnd)
register.filter("yes_no", formats.yes_no)
register.filter("display_value", formats.display_value)
register.filter("amount_in_words", formats.amount_in_words)
