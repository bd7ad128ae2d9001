"""The online form of a procedure: a small JSON Schema subset rendered as an accessible Django form.

A procedure version's ``form_schema`` is a JSON Schema object. We render and validate only the
subset below, so that a province's catalogue editor cannot write a form the platform cannot show:

    {
      "type": "object",
      "title": "Tờ khai đăng ký khai sinh",            # optional
      "description": "…",                               # optional
      "properties": {
        "ho_ten": {"type": "string", "title": "Họ và tên", "maxLength": 100},
        "ngay_sinh": {"type": "string", "format": "date", "title": "Ngày sinh"},
        "email": {"type": "string", "format": "email", "title": "Thư điện tử"},
        "gioi_tinh": {"type": "string", "enum": ["Nam", "Nữ"], "title": "Giới tính"},
        "cccd": {"type": "string", "x-validator": "cccd", "title": "Số CCCD"},
        "mst": {"type": "string", "x-validator": "mst", "title": "Mã số thuế"},
        "noi_dung": {"type": "string", "x-widget": "textarea", "title": "Nội dung"},
        "so_ban": {"type": "integer", "minimum": 1, "maximum": 10, "title": "Số bản"},
        "dien_tich": {"type": "number", "minimum": 0, "title": "Diện tích (m²)"},
        "cam_doan": {"type": "boolean", "title": "Tôi cam đoan …"},
        "dia_chi": {"type": "string", "title": "Nơi cư trú", "x-prefill": "address"}
      },
      "required": ["ho_ten", "ngay_sinh", "cam_doan"],
      "x-order": ["ho_ten", "ngay_sinh", …]           # optional; see below
    }

Notes
- ``x-order`` fixes the order of the fields. PostgreSQL's ``jsonb`` does not keep key order, so the
  catalog services add it (from the order in the imported file) when saving a schema.
- A *required boolean* is a box that must be ticked (a declaration, "cam đoan").
- String ``pattern`` follows JSON Schema: a regular expression *searched* in the value (anchor it
  with ``^…$`` to match the whole value). ``minLength`` is supported as well.
- ``x-prefill`` (strings): the account attribute the online form starts from (``full_name``, ``cccd``,
  ``address``, ``phone``, ``email``, ``tax_code``, ``organization_name``), or ``false`` for none; without
  it, conventional names (``ho_ten``, ``so_cccd``, ``dia_chi``, ``dien_thoai``… ``PREFILL_NAMES``)
  are filled from the account. The applicant may change the value.
- ``validate()`` returns JSON-ready values: dates as ISO ``YYYY-MM-DD`` strings, integers as
  ``int``, numbers as ``int`` or ``float``; optional fields left empty are omitted.

Public functions (the dossiers app calls the first two):
    build_django_form(schema, data=None, *, prefix=None, initial=None) -> forms.Form
    validate(schema, data) -> (cleaned: dict, errors: dict[str, list[str]])
    validate_schema(schema) -> None (raises ValidationError listing every problem)
    schema_problems(schema) -> list[str]
    normalize_schema(schema) -> dict (adds "x-order")
    prefill_fields(schema) -> {property: account attribute}
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.identifiers import validate_cccd, validate_mst

PROPERTY_TYPES = ("string", "integer", "number", "boolean")
STRING_FORMATS = ("date", "email")
WIDGETS = ("textarea",)
VALIDATORS = {"cccd": validate_cccd, "mst": validate_mst}
NAME_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

_COMMON_KEYS = {"type", "title", "description", "default", "x-placeholder"}
_ALLOWED_KEYS = {
    "string": _COMMON_KEYS
    | {"format", "enum", "maxLength", "minLength", "pattern", "x-widget", "x-validator", "x-prefill"},
    "integer": _COMMON_KEYS | {"minimum", "maximum"},
    "number": _COMMON_KEYS | {"minimum", "maximum"},
    "boolean": _COMMON_KEYS,
}
_TOP_KEYS = {"type", "title", "description", "properties", "required", "x-order", "$schema", "additionalProperties"}
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]

# What an online form may take from the signed-in applicant's account (directory.User attributes).
ACCOUNT_FIELDS = ("full_name", "cccd", "address", "phone", "email", "tax_code", "organization_name")
# The conventional property names of the catalogue's forms, and the account attribute each one is.
PREFILL_NAMES = {
    "ho_ten": "full_name",
    "ho_va_ten": "full_name",
    "ho_ten_nguoi_yeu_cau": "full_name",
    "ho_ten_nguoi_nop": "full_name",
    "cccd": "cccd",
    "so_cccd": "cccd",
    "so_dinh_danh": "cccd",
    "so_dinh_danh_ca_nhan": "cccd",
    "dia_chi": "address",
    "noi_cu_tru": "address",
    "dia_chi_lien_he": "address",
    "dia_chi_thuong_tru": "address",
    "dien_thoai": "phone",
    "so_dien_thoai": "phone",
    "email": "email",
    "thu_dien_tu": "email",
    "mst": "tax_code",
    "ma_so_thue": "tax_code",
    "ten_doanh_nghiep": "organization_name",
    "ten_to_chuc": "organization_name",
}


# --------------------------------------------------------------------------- schema checking


def _is_number(value) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _is_int(value) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float) and value.is_integer())


def schema_problems(schema) -> list[str]:
    """Every reason why `schema` is not a form we can render, in Vietnamese; [] when it is fine.

    An empty schema (``{}``) means "no online form" and is accepted.
    """
    if schema in (None, {}):
        return []
    if not isinstance(schema, dict):
        return [_("Biểu mẫu phải là một đối tượng JSON Schema.")]
    problems: list[str] = []
    unknown = sorted(set(schema) - _TOP_KEYS)
    if unknown:
        problems.append(_("Biểu mẫu có khóa không được hỗ trợ: %(keys)s.") % {"keys": ", ".join(unknown)})
    if schema.get("type") != "object":
        problems.append(_('Biểu mẫu phải có "type": "object".'))
    for key in ("title", "description"):
        if key in schema and not isinstance(schema[key], str):
            problems.append(_('"%(key)s" của biểu mẫu phải là chuỗi ký tự.') % {"key": key})
    properties = schema.get("properties")
    if not isinstance(properties, dict) or not properties:
        problems.append(_('Biểu mẫu phải có "properties" với ít nhất một trường.'))
        properties = {}
    for name, prop in properties.items():
        problems.extend(_property_problems(name, prop))
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        problems.append(_('"required" phải là danh sách tên trường.'))
    else:
        for name in required:
            if name not in properties:
                problems.append(_('Trường bắt buộc "%(name)s" không có trong "properties".') % {"name": name})
        if len(set(required)) != len(required):
            problems.append(_('"required" có tên trường bị lặp.'))
    order = schema.get("x-order")
    if order is not None and (not isinstance(order, list) or sorted(map(str, order)) != sorted(properties)):
        problems.append(_('"x-order" phải liệt kê đúng một lần mỗi trường trong "properties".'))
    return problems


def _property_problems(name, prop) -> list[str]:
    where = _('Trường "%(name)s"') % {"name": name}
    if not isinstance(name, str) or not NAME_RE.match(name):
        return [
            _(
                "%(where)s: tên trường chỉ gồm chữ thường không dấu, chữ số và dấu gạch dưới, "
                'bắt đầu bằng chữ (ví dụ "ho_ten").'
            )
            % {"where": where}
        ]
    if not isinstance(prop, dict):
        return [_("%(where)s: phải là một đối tượng.") % {"where": where}]
    kind = prop.get("type")
    if kind not in PROPERTY_TYPES:
        return [
            _('%(where)s: kiểu "%(type)s" không được hỗ trợ (chỉ string, integer, number, boolean).')
            % {"where": where, "type": kind}
        ]
    problems = []
    unknown = sorted(set(prop) - _ALLOWED_KEYS[kind])
    if unknown:
        problems.append(
            _("%(where)s: khóa không được hỗ trợ với kiểu %(type)s: %(keys)s.")
            % {"where": where, "type": kind, "keys": ", ".join(unknown)}
        )
    title = prop.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(_('%(where)s: cần có "title" (nhãn tiếng Việt hiển thị cho người nộp).') % {"where": where})
    for key in ("description", "x-placeholder"):
        if key in prop and not isinstance(prop[key], str):
            problems.append(_('%(where)s: "%(key)s" phải là chuỗi ký tự.') % {"where": where, "key": key})
    if kind == "string":
        fmt = prop.get("format")
        if fmt is not None and fmt not in STRING_FORMATS:
            problems.append(
                _('%(where)s: định dạng "%(format)s" không được hỗ trợ (chỉ date, email).')
                % {"where": where, "format": fmt}
            )
        if "enum" in prop:
            enum = prop["enum"]
            if (
                not isinstance(enum, list)
                or not enum
                or not all(isinstance(v, str) and v for v in enum)
                or len(set(enum)) != len(enum)
            ):
                problems.append(
                    _('%(where)s: "enum" phải là danh sách các chuỗi khác nhau, không rỗng.') % {"where": where}
                )
        for key in ("maxLength", "minLength"):
            if key in prop and (not _is_int(prop[key]) or prop[key] < 0):
                problems.append(_('%(where)s: "%(key)s" phải là số nguyên không âm.') % {"where": where, "key": key})
        if _is_int(prop.get("minLength")) and _is_int(prop.get("maxLength")) and prop["minLength"] > prop["maxLength"]:
            problems.append(_('%(where)s: "minLength" lớn hơn "maxLength".') % {"where": where})
        if "pattern" in prop:
            try:
                re.compile(prop["pattern"])
            except (re.error, TypeError):
                problems.append(_('%(where)s: "pattern" không phải biểu thức chính quy hợp lệ.') % {"where": where})
        if "x-widget" in prop and prop["x-widget"] not in WIDGETS:
            problems.append(_('%(where)s: "x-widget" chỉ nhận "textarea".') % {"where": where})
        if "x-prefill" in prop and prop["x-prefill"] is not False and prop["x-prefill"] not in ACCOUNT_FIELDS:
            problems.append(
                _('%(where)s: "x-prefill" chỉ nhận false hoặc một trong: %(fields)s.')
                % {"where": where, "fields": ", ".join(ACCOUNT_FIELDS)}
            )
        if "x-validator" in prop and prop["x-validator"] not in VALIDATORS:
            problems.append(_('%(where)s: "x-validator" chỉ nhận "cccd" hoặc "mst".') % {"where": where})
        if "default" in prop and not isinstance(prop["default"], str):
            problems.append(_("%(where)s: giá trị mặc định phải là chuỗi.") % {"where": where})
    elif kind in ("integer", "number"):
        check = _is_int if kind == "integer" else _is_number
        for key in ("minimum", "maximum", "default"):
            if key in prop and not check(prop[key]):
                problems.append(
                    _('%(where)s: "%(key)s" phải là số%(suffix)s.')
                    % {"where": where, "key": key, "suffix": _(" nguyên") if kind == "integer" else ""}
                )
        if _is_number(prop.get("minimum")) and _is_number(prop.get("maximum")) and prop["minimum"] > prop["maximum"]:
            problems.append(_('%(where)s: "minimum" lớn hơn "maximum".') % {"where": where})
    elif kind == "boolean" and "default" in prop and not isinstance(prop["default"], bool):
        problems.append(_("%(where)s: giá trị mặc định phải là true hoặc false.") % {"where": where})
    return problems


def validate_schema(schema) -> None:
    """Raise ValidationError (one message per problem) when `schema` is outside our subset."""
    problems = schema_problems(schema)
    if problems:
        raise ValidationError(problems, code="form_schema")


def normalize_schema(schema: dict | None) -> dict:
    """A copy of `schema` with ``x-order`` filled in from the properties' order (no-op on ``{}``)."""
    if not schema:
        return {}
    schema = dict(schema)
    properties = schema.get("properties") or {}
    if "x-order" not in schema and isinstance(properties, dict):
        schema["x-order"] = list(properties)
    return schema


def field_names(schema: dict | None) -> list[str]:
    """Property names in display order."""
    if not schema:
        return []
    properties = schema.get("properties") or {}
    order = schema.get("x-order")
    if isinstance(order, list) and sorted(order) == sorted(properties):
        return list(order)
    return list(properties)


def prefill_fields(schema: dict | None) -> dict[str, str]:
    """Which properties the online form fills from the applicant's account: ``{property: attribute}``.

    A string property's ``"x-prefill"`` names the attribute (one of ACCOUNT_FIELDS), or is ``false`` to
    leave the field empty (a name that would otherwise match, e.g. another person's ``ho_ten``);
    without it the property's conventional name decides (PREFILL_NAMES). The applicant may change what
    was filled in; the form is validated as typed.
    """
    out = {}
    for name, prop in ((schema or {}).get("properties") or {}).items():
        if not isinstance(prop, dict) or prop.get("type") != "string" or "enum" in prop or prop.get("format") == "date":
            continue
        attribute = prop.get("x-prefill", PREFILL_NAMES.get(name))
        if attribute in ACCOUNT_FIELDS:
            out[name] = attribute
    return out


# --------------------------------------------------------------------------- form building


class SchemaForm(forms.Form):
    """A form built from a schema.

    Rendered by catalog/templates/catalog/form_schema.html (an app template: Django's form renderer
    only searches app directories): labels, a required marker, help text and errors linked with
    aria-describedby, aria-invalid on errors. Use ``{{ form }}`` in a page.
    """

    template_name = "catalog/form_schema.html"
    type_errors: dict = {}
    required_css_class = "required"
    error_css_class = "has-error"
    schema: dict = {}

    def clean(self):
        cleaned = super().clean()
        for name, messages in self.type_errors.items():
            for message in messages:
                self.add_error(name, message)
        return cleaned

    def json_data(self) -> dict:
        """The cleaned data as JSON-ready values (call after is_valid()); empty optional fields omitted."""
        out = {}
        for name in field_names(self.schema):
            value = _to_json(self.cleaned_data.get(name))
            if value is None or value == "":
                continue
            out[name] = value
        return out


def _to_json(value):
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _error_messages(title: str) -> dict:
    return {
        "required": _("Vui lòng nhập %(title)s.") % {"title": title},
        "invalid": _("%(title)s không hợp lệ.") % {"title": title},
    }


def _make_field(name: str, prop: dict, required: bool) -> forms.Field:
    kind = prop["type"]
    title = prop["title"]
    common = {"label": title, "required": required, "help_text": prop.get("description", "")}
    messages = _error_messages(title)
    attrs = {}
    if prop.get("x-placeholder"):
        attrs["placeholder"] = prop["x-placeholder"]
    if kind == "boolean":
        messages["required"] = _("Bạn cần đánh dấu ô “%(title)s”.") % {"title": title}
        field = forms.BooleanField(error_messages=messages, widget=forms.CheckboxInput(attrs=attrs), **common)
        if "default" in prop:
            field.initial = prop["default"]
        return field
    if kind in ("integer", "number"):
        minimum, maximum = prop.get("minimum"), prop.get("maximum")
        messages["min_value"] = _("%(title)s phải lớn hơn hoặc bằng %%(limit_value)s.") % {"title": title}
        messages["max_value"] = _("%(title)s phải nhỏ hơn hoặc bằng %%(limit_value)s.") % {"title": title}
        if kind == "integer":
            messages["invalid"] = _("%(title)s phải là số nguyên.") % {"title": title}
            field = forms.IntegerField(
                min_value=minimum,
                max_value=maximum,
                error_messages=messages,
                widget=forms.NumberInput(attrs=attrs),
                **common,
            )
        else:
            messages["invalid"] = _("%(title)s phải là một số.") % {"title": title}
            attrs.setdefault("step", "any")
            field = forms.DecimalField(
                min_value=_dec(minimum),
                max_value=_dec(maximum),
                error_messages=messages,
                widget=forms.NumberInput(attrs=attrs),
                **common,
            )
            field.localize = False
        if "default" in prop:
            field.initial = prop["default"]
        return field
    # string
    fmt = prop.get("format")
    if "enum" in prop:
        choices = [(v, v) for v in prop["enum"]]
        choices = [("", _("— Chọn —")), *choices]
        messages["invalid_choice"] = _("Giá trị “%%(value)s” không nằm trong danh sách cho phép của %(title)s.") % {
            "title": title
        }
        field = forms.ChoiceField(choices=choices, error_messages=messages, widget=forms.Select(attrs=attrs), **common)
    elif fmt == "date":
        messages["invalid"] = _("%(title)s không phải ngày hợp lệ (ngày/tháng/năm).") % {"title": title}
        attrs["type"] = "date"
        field = forms.DateField(
            input_formats=DATE_INPUT_FORMATS,
            error_messages=messages,
            widget=forms.DateInput(attrs=attrs, format="%Y-%m-%d"),
            **common,
        )
    elif fmt == "email":
        messages["invalid"] = _("%(title)s không phải địa chỉ thư điện tử hợp lệ.") % {"title": title}
        attrs.setdefault("autocomplete", "email")
        field = forms.EmailField(
            error_messages=messages, widget=forms.EmailInput(attrs=attrs), max_length=prop.get("maxLength"), **common
        )
    else:
        widget = (
            forms.Textarea(attrs={"rows": 4, **attrs})
            if prop.get("x-widget") == "textarea"
            else forms.TextInput(attrs=attrs)
        )
        messages["max_length"] = _("%(title)s dài tối đa %%(limit_value)d ký tự (hiện có %%(show_value)d).") % {
            "title": title
        }
        messages["min_length"] = _("%(title)s cần ít nhất %%(limit_value)d ký tự (hiện có %%(show_value)d).") % {
            "title": title
        }
        validators = []
        if prop.get("pattern"):
            validators.append(
                _SearchRegexValidator(
                    prop["pattern"],
                    message=_("%(title)s không đúng định dạng yêu cầu.") % {"title": title},
                    code="pattern",
                )
            )
        if prop.get("x-validator") in VALIDATORS:
            validators.append(VALIDATORS[prop["x-validator"]])
            if prop["x-validator"] == "cccd":
                widget.attrs.setdefault("inputmode", "numeric")
                widget.attrs.setdefault("maxlength", "12")
        field = forms.CharField(
            max_length=prop.get("maxLength"),
            min_length=prop.get("minLength"),
            validators=validators,
            error_messages=messages,
            widget=widget,
            **common,
        )
    if "default" in prop:
        field.initial = prop["default"]
    return field


class _SearchRegexValidator(RegexValidator):
    """JSON Schema `pattern`: the expression must be found somewhere in the value."""

    def __call__(self, value):
        if not self.regex.search(str(value)):
            raise ValidationError(self.message, code=self.code, params={"value": value})


def _dec(value):
    return None if value is None else Decimal(str(value))


def build_django_form(
    schema: dict, data=None, *, prefix: str | None = None, initial: dict | None = None, files=None
) -> SchemaForm:
    """A bound (when `data` is given) or unbound Django form for `schema`.

    `data` may be request.POST or a plain dict (e.g. decoded JSON from the API). The form carries
    ``form.schema`` and ``form.json_data()``. Raises ValidationError when the schema itself is invalid.
    """
    schema = {} if schema is None else schema
    validate_schema(schema)
    required = set(schema.get("required", []))
    fields = {}
    for name in field_names(schema):
        fields[name] = _make_field(name, schema["properties"][name], name in required)
    form_class = type("ProcedureSchemaForm", (SchemaForm,), {**fields, "schema": schema})
    type_errors: dict = {}
    if data is not None and not hasattr(data, "getlist"):
        data, type_errors = _plain_data(schema, data)
        if prefix:  # a plain dict is keyed by property names; the prefixed form reads "<prefix>-<name>"
            data = {f"{prefix}-{key}": value for key, value in data.items()}
    form = form_class(data=data, files=files, prefix=prefix, initial=initial)
    form.type_errors = type_errors
    for name in type_errors:
        form.fields[name].required = False  # the type error added in clean() is the one to show
    return form


_TYPE_MESSAGES = {
    "string": gettext_noop("%(title)s phải là chuỗi ký tự."),
    "integer": gettext_noop("%(title)s phải là số nguyên."),
    "number": gettext_noop("%(title)s phải là một số."),
    "boolean": gettext_noop("%(title)s phải là true hoặc false."),
}


def _plain_data(schema: dict, data: dict) -> tuple[dict, dict[str, list[str]]]:
    """Turn a JSON object into what Django widgets read; report JSON values of the wrong type."""
    out: dict = {}
    errors: dict[str, list[str]] = {}
    properties = schema.get("properties") or {}
    for key, value in (data or {}).items():
        prop = properties.get(key)
        if prop is None or value is None:
            continue
        kind = prop["type"]
        if kind == "boolean":
            if isinstance(value, bool):
                out[key] = value
            elif isinstance(value, str) and value.lower() in ("true", "false", "on", "1", "0", ""):
                out[key] = value.lower() in ("true", "on", "1")
            else:
                errors[key] = [_(_TYPE_MESSAGES[kind]) % {"title": prop["title"]}]
        elif isinstance(value, bool | list | dict) or (kind == "string" and not isinstance(value, str)):
            errors[key] = [_(_TYPE_MESSAGES[kind]) % {"title": prop["title"]}]
        else:
            out[key] = str(value)
    return out, errors


def validate(schema: dict, data, *, refuse_unknown: bool = False) -> tuple[dict, dict[str, list[str]]]:
    """Validate submitted `data` against `schema` on the server.

    Returns ``(cleaned, errors)``: `cleaned` holds JSON-ready values of valid fields only when there
    is no error (else ``{}``); `errors` maps a field name (or ``"__all__"``) to Vietnamese messages.
    Keys not in the schema are ignored, or with `refuse_unknown` each is an error under its own name (a
    form's data that comes as a JSON object, where nothing but the form's fields belongs). A JSON value of
    the wrong type (e.g. ``true`` for a string) is an error.

    This is the check of the online form's content for every channel: the web form's fields are built by
    `build_django_form` from the same schema, and the dossier services validate what any channel sends
    (the web form's cleaned values, the API's JSON) with this function.
    """
    if not isinstance(data, dict) and not hasattr(data, "getlist"):
        return {}, {"__all__": [_("Dữ liệu biểu mẫu phải là một đối tượng.")]}
    unknown = {}
    if refuse_unknown and data:
        known = set((schema or {}).get("properties") or {})
        unknown = {
            key: [_("Trường “%(name)s” không có trong biểu mẫu của thủ tục này.") % {"name": key}]
            for key in data
            if key not in known
        }
    form = build_django_form(schema, data or {})
    if not form.is_valid() or unknown:
        errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
        return {}, {**errors, **unknown}
    return form.json_data(), {}
