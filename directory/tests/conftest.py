import pytest

from directory.choices import AccountKind, AgencyKind, Role
from directory.models import Agency, OrgUnit, StaffPosition, User

PASSWORD = "Mk-dem0-an-toan"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_signup_limit():
    """The sign-up limiter counts per client address in the cache; every test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def province_agency(db):
    return Agency.objects.create(
        code="000.00.00.H44",
        name="Ủy ban nhân dân tỉnh Quảng Trị",
        short_name="UBND",
        kind=AgencyKind.PROVINCIAL_COMMITTEE,
    )


@pytest.fixture
def justice(province_agency):
    agency = Agency.objects.create(
        code="000.00.11.H44", name="Sở Tư pháp", short_name="STP", kind=AgencyKind.DEPARTMENT, parent=province_agency
    )
    OrgUnit.objects.create(agency=agency, name="Bộ phận Một cửa", is_one_stop_desk=True)
    OrgUnit.objects.create(agency=agency, name="Phòng Hành chính tư pháp")
    return agency


def make_staff(username: str, *, agency=None, role=None, **extra) -> User:
    user = User.objects.create_user(
        username, password=PASSWORD, kind=AccountKind.STAFF, full_name=username.title(), **extra
    )
    if agency is not None and role is not None:
        StaffPosition.objects.create(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def administrator(province_agency):
    return make_staff("quantri", agency=province_agency, role=Role.ADMINISTRATOR, is_staff=True)


@pytest.fixture
def officer(justice):
    return make_staff("motcua", agency=justice, role=Role.ONE_STOP_OFFICER, is_staff=True)


@pytest.fixture
def citizen(db):
    return User.objects.create_user(
        "044090001234",
        password=PASSWORD,
        kind=AccountKind.CITIZEN,
        cccd="044090001234",
        full_name="Nguyễn Văn An",
        email="an@example.vn",
    )


@pytest.fixture(autouse=True)
def _vietnamese():
    """Messages are asserted in Vietnamese; a page requested in English must not leak its language."""
    from django.utils import translation

    translation.activate("vi")
    yield
    translation.activate("vi")
