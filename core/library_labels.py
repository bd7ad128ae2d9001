"""Vietnamese names in the administration for the libraries' models (axes, DRF tokens, django-otp, django-rq).

Django translates a label that a library wrote with gettext; the Vietnamese for those messages is in the
project's catalogue (locale/vi/LC_MESSAGES/django.po), since the libraries ship none in Vietnamese. Some
labels are plain strings in the library (django-otp's fields and "TOTP device", django-rq's dashboard),
and some apps have no name at all (Django then shows the label title-cased: "Axes", "Otp_Totp"):
`translate_library_labels()` wraps those in gettext_lazy with the library's own English text as the
message id, so the same catalogue translates them. The English text stays the message id, so the
English interface keeps the library's words and migrations see no change (a field's deconstruction
reads the arguments it was declared with, and `makemigrations` runs with translations off).

Their administration pages get the same treatment: the columns the library computes (axes' "status",
django-otp's "QR Code") and the titles of the form's sections (django-otp builds them in get_fieldsets).

Called once from CoreConfig.ready(); `test_admin_vietnamese.py` checks the pages it serves.
"""

from django.apps import apps
from django.contrib.admin.utils import pretty_name
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

# Apps whose models the administration lists, with the English name the message id is (Vietnamese in
# the catalogue). django_otp itself has no model of its own in the administration.
LIBRARY_APPS = {
    "authtoken": "Auth Token",
    "axes": "Axes",
    "otp_totp": "Two-factor authentication (TOTP)",
    "django_rq": "Task queues (RQ)",
}


def _lazy(value):
    """The label as a message of the catalogue: its English text (read with translations off, so a label the
    library already translates, or a plural Django built lazily from the singular, gives its message id)."""
    if value is None or value == "":
        return value
    with translation.override(None):
        return gettext_lazy(str(value))


def translate_library_labels() -> None:
    for label, name in LIBRARY_APPS.items():
        try:
            config = apps.get_app_config(label)
        except LookupError:  # the library is not installed here
            continue
        if not isinstance(config.verbose_name, Promise):
            config.verbose_name = gettext_lazy(name)
        for model in config.get_models():
            opts = model._meta
            opts.verbose_name = _lazy(opts.verbose_name)
            opts.verbose_name_plural = _lazy(opts.verbose_name_plural)
            for field in opts.get_fields(include_hidden=False):
                if not getattr(field, "concrete", False):
                    continue
                field.verbose_name = _lazy(field.verbose_name)
                field.help_text = _lazy(field.help_text)


def _translated_fieldsets(get_fieldsets):
    def get_fieldsets_translated(request, obj=None):
        return [
            (gettext(title) if isinstance(title, str) else title, options)
            for title, options in get_fieldsets(request, obj)
        ]

    get_fieldsets_translated.translated = True
    return get_fieldsets_translated


def translate_library_admin() -> None:
    """The columns and form sections of the libraries' admin pages (needs the admin's registry: call it
    once the admin modules are imported, as Django does before the first request)."""
    from django.contrib import admin

    for label in LIBRARY_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models():
            model_admin = admin.site._registry.get(model)
            if model_admin is None:
                continue
            names = [*model_admin.list_display, *getattr(model_admin, "readonly_fields", ())]
            if hasattr(type(model_admin), "qrcode_link"):
                names.append("qrcode_link")
            for name in names:
                function = getattr(type(model_admin), name, None) if isinstance(name, str) else None
                if callable(function):
                    description = getattr(function, "short_description", None) or pretty_name(name)
                    function.short_description = _lazy(description)
            if not getattr(model_admin.get_fieldsets, "translated", False):
                model_admin.get_fieldsets = _translated_fieldsets(model_admin.get_fieldsets)
