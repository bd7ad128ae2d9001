import pytest


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """PBKDF2's 1,000,000 rounds make every login in these tests slow; the hasher is not under test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
