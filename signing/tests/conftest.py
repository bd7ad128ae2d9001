import pytest
from django.core.cache import cache

from directory.choices import AgencyKind
from directory.models import Agency


@pytest.fixture(scope="session")
def _session_pki_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("pki")


@pytest.fixture(autouse=True)
def _signing_settings(settings, _session_pki_dir):
    """One demo PKI per test session (generating keys is cheap but not free); no TSA, no network."""
    settings.SIGNING_PKI_DIR = str(_session_pki_dir)
    settings.SIGNING_TSA_URL = ""
    settings.SIGNING_MODE = "demo"
    settings.PUBLIC_BASE_URL = "http://testserver"
    cache.clear()  # upload rate limits and cached verification results are per test


@pytest.fixture
def education_department(db):
    province, _ = Agency.objects.get_or_create(
        code="000.00.00.H44",
        defaults={
            "name": "Ủy ban nhân dân tỉnh Quảng Trị",
            "short_name": "UBND",
            "kind": AgencyKind.PROVINCIAL_COMMITTEE,
        },
    )
    agency, _ = Agency.objects.get_or_create(
        code="000.00.12.H44",
        defaults={
            "name": "Sở Giáo dục và Đào tạo",
            "short_name": "SGDĐT",
            "kind": AgencyKind.DEPARTMENT,
            "parent": province,
        },
    )
    return agency
