import pytest

from directory.choices import AccountKind
from directory.models import User
from notifications import senders


@pytest.fixture(autouse=True)
def _fast_hasher_and_fresh_senders(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    senders.clear_cache()
    yield
    senders.clear_cache()


def _citizen(username, cccd, **extra):
    return User.objects.create_user(
        username, password="x", kind=AccountKind.CITIZEN, cccd=cccd, full_name=username.title(), **extra
    )


@pytest.fixture
def alice(db):
    return _citizen("alice", "044090001234", email="alice@example.vn", phone="0912000001")


@pytest.fixture
def bob(db):
    return _citizen("bob", "044195012345", email="bob@example.vn", phone="0912000002")


SENT_SMS: list = []


def recording_sms_sender(notification):
    SENT_SMS.append((notification.phone, notification.subject))


class FailingSender:
    def __call__(self, notification):
        raise ConnectionError("cổng SMS không phản hồi")


@pytest.fixture(autouse=True)
def _vietnamese():
    """Messages are asserted in Vietnamese; a page requested in English must not leak its language."""
    from django.utils import translation

    translation.activate("vi")
    yield
    translation.activate("vi")
