"""The administration speaks Vietnamese for the libraries' models too (axes, DRF tokens, django-otp,
django-rq): section names, model names, list columns, form labels and form sections
(core/library_labels.py and the project's catalogue, locale/vi)."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db
ADMIN = "/quan-tri/"

LIBRARY_SECTIONS = {
    "authtoken": ("Khóa truy cập API", ["Khóa truy cập"]),
    "axes": (
        "Chống dò mật khẩu (đăng nhập sai)",
        ["Các lượt đăng nhập sai", "Nhật ký đăng nhập sai", "Nhật ký đăng nhập"],
    ),
    "otp_totp": ("Xác thực hai lớp (TOTP)", ["Thiết bị OTP"]),
    "django_rq": ("Hàng đợi tác vụ (RQ)", ["Bảng theo dõi hàng đợi RQ"]),
}
ENGLISH = re.compile(
    r"\b(Auth Token|Axes|Otp_Totp|Django_Rq|Django-RQ|Tokens?|Access (attempts|failures|logs)|TOTP devices?|"
    r"User Agent|IP Address|Attempt Time|Failed Logins|Path|Identity|Timestamps|Configuration|Throttling|"
    r"[Cc]reated at|[Ll]ast used at|[Cc]onfirmed|Tolerance|Drift|Digits|QR Code)\b"
)


@pytest.fixture
def admin_client(django_user_model):
    user = django_user_model.objects.create_superuser(username="quantri", password="x", kind="staff")
    client = Client()
    client.force_login(user)
    return client


def _section(html: str, app_label: str) -> tuple[str, list[str]]:
    block = re.search(rf'<div class="app-{app_label} module.*?</table>', html, re.S)
    assert block, f"no section for {app_label}"
    caption = re.search(r"<caption>\s*<a[^>]*>(.*?)</a>", block.group(0), re.S).group(1).strip()
    models = [m.strip() for m in re.findall(r'<th scope="row"[^>]*>\s*<a[^>]*>(.*?)</a>', block.group(0), re.S)]
    return caption, models


def test_admin_index_names_the_libraries_in_vietnamese(admin_client):
    html = admin_client.get(ADMIN).content.decode()
    for app_label, (name, models) in LIBRARY_SECTIONS.items():
        caption, rows = _section(html, app_label)
        assert caption == name
        assert sorted(rows) == sorted(models)
        assert not ENGLISH.search(caption + " ".join(rows))


@pytest.mark.parametrize(
    "path",
    [
        "axes/accessattempt/",
        "axes/accesslog/",
        "axes/accessfailurelog/",
        "otp_totp/totpdevice/",
        "authtoken/tokenproxy/",
        "otp_totp/totpdevice/add/",
    ],
)
def test_library_pages_label_their_columns_and_fields_in_vietnamese(admin_client, path):
    response = admin_client.get(ADMIN + path)
    assert response.status_code == 200
    html = response.content.decode()
    headers = re.findall(r'<th scope="col"[^>]*>.*?<(?:a|span)[^>]*>(.*?)</(?:a|span)>', html, re.S)
    labels = re.findall(r"<label[^>]*>(.*?)</label>", html, re.S)
    sections = re.findall(r'<h2 id="fieldset[^"]*"[^>]*>(.*?)</h2>|<legend[^>]*>(.*?)</legend>', html, re.S)
    text = " ".join([*headers, *labels, *(a or b for a, b in sections)])
    assert text.strip(), "nothing to check on the page"
    assert not ENGLISH.search(text), ENGLISH.search(text).group(0)


def test_totp_form_shows_the_vietnamese_names(admin_client):
    html = admin_client.get(ADMIN + "otp_totp/totpdevice/add/").content.decode()
    for vietnamese in ("Định danh", "Cấu hình", "Giới hạn thử sai", "dung sai", "Người dùng sở hữu thiết bị này."):
        assert vietnamese.lower() in html.lower()


def test_the_labels_change_no_migration():
    """The English text stays the message id, so makemigrations sees the libraries' models unchanged."""
    call_command(
        "makemigrations", "authtoken", "axes", "otp_totp", "django_rq", check=True, dry_run=True, stdout=StringIO()
    )
