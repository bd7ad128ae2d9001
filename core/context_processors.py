from django.conf import settings


def platform(request):
    from directory.selectors import province_agency

    cache = getattr(request, "_cqs_platform", None)
    if cache is None:
        agency = province_agency()
        cache = {
            "PROVINCE_NAME": _province_name(),
            "PROVINCE_AGENCY": agency,
            "MAP_TILE_URL": settings.MAP_TILE_URL,
        }
        request._cqs_platform = cache
    return cache


def _province_name() -> str:
    from directory.models import AdministrativeUnit

    unit = AdministrativeUnit.objects.filter(code=str(settings.PROVINCE_CODE), level="province").first()
    return unit.name if unit else ""
