import pytest
from django.urls import reverse

from core.audit import history_for
from directory.models import User

from .conftest import PASSWORD

SIGNUP = "/danh-ba/dang-ky/"


def citizen_data(**overrides):
    data = {
        "loai": "cong-dan",
        "cccd": "044195012345",
        "full_name": "Trần Thị Bình",
        "email": "binh@example.vn",
        "phone": "0912000002",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def business_data(**overrides):
    data = {
        "loai": "doanh-nghiep",
        "tax_code": "3200123452",
        "organization_name": "Công ty TNHH Mẫu",
        "representative_name": "Lê Văn Cường",
        "address": "Đồng Hới",
        "email": "ct@example.vn",
        "phone": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_signup_page_renders_both_kinds(client):
    assert reverse("directory:signup") == SIGNUP
    page = client.get(SIGNUP).content.decode()
    assert "Đăng ký tài khoản" in page and 'name="cccd"' in page
    page = client.get(SIGNUP + "?loai=doanh-nghiep").content.decode()
    assert 'name="tax_code"' in page and 'name="cccd"' not in page


@pytest.mark.django_db
def test_citizen_signup_happy_path(client):
    response = client.post(SIGNUP, citizen_data())
    assert response.status_code == 302 and response.url == "/danh-ba/ho-so-ca-nhan/"
    user = User.objects.get(username="044195012345")
    assert user.kind == "citizen" and user.cccd == "044195012345" and user.check_password(PASSWORD)
    assert [e.action for e in history_for(user)] == ["directory.citizen_registered"]
    profile = client.get(response.url).content.decode()  # logged in straight away
    assert "Trần Thị Bình" in profile and "044195012345" in profile


@pytest.mark.django_db
def test_business_signup_happy_path(client):
    response = client.post(SIGNUP, business_data())
    assert response.status_code == 302
    user = User.objects.get(username="3200123452")
    assert (user.kind, user.tax_code, user.organization_name, user.full_name) == (
        "business",
        "3200123452",
        "Công ty TNHH Mẫu",
        "Lê Văn Cường",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"cccd": "04409000123"}, "cccd", "Số CCCD phải gồm đúng 12 chữ số."),
        ({"cccd": "000090001234"}, "cccd", "mã tỉnh nơi đăng ký khai sinh"),
        ({"cccd": "003090001234"}, "cccd", "không phải mã tỉnh nơi đăng ký khai sinh"),
        ({"cccd": "044890001234"}, "cccd", "(2390) nằm ở tương lai"),
        ({"cccd": "044399001234"}, "cccd", "nằm ở tương lai"),
        ({"full_name": ""}, "full_name", ""),
        ({"email": "khong-phai-email"}, "email", "Địa chỉ thư điện tử không hợp lệ."),
        ({"phone": "12345"}, "phone", "Số điện thoại phải có dạng"),
        ({"password2": "khac-hoan-toan"}, "password2", "Hai lần nhập mật khẩu không khớp."),
        ({"password1": "abc", "password2": "abc"}, "password1", "Mật khẩu quá ngắn: cần ít nhất 8 ký tự."),
    ],
)
def test_citizen_signup_errors_change_nothing(client, overrides, field, message):
    response = client.post(SIGNUP, citizen_data(**overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tax_code, message",
    [
        ("3200123453", "sai chữ số kiểm tra"),
        ("320012345", "Mã số thuế phải gồm 10 chữ số"),
        ("3200123452-000", "3 số cuối"),
    ],
)
def test_business_signup_bad_mst(client, tax_code, message):
    response = client.post(SIGNUP, business_data(tax_code=tax_code))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["tax_code"])
    assert message in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_shows_every_mistake_at_once(client):
    response = client.post(SIGNUP, citizen_data(cccd="12345", password2="khac"))
    errors = response.context["form"].errors
    assert set(errors) == {"cccd", "password2"}
    page = response.content.decode()
    assert 'aria-invalid="true"' in page and 'aria-describedby="id_cccd_help id_cccd_error"' in page


@pytest.mark.django_db
def test_signup_duplicates_are_refused(client):
    assert client.post(SIGNUP, citizen_data()).status_code == 302
    client.logout()
    response = client.post(SIGNUP, citizen_data(full_name="Người Khác", email="khac@example.vn"))
    assert response.status_code == 400
    assert "đã được dùng để đăng ký" in " ".join(response.context["form"].errors["cccd"])
    assert User.objects.count() == 1
    assert client.post(SIGNUP, business_data()).status_code == 302
    client.logout()
    response = client.post(SIGNUP, business_data(organization_name="Khác"))
    assert "đã được dùng để đăng ký" in " ".join(response.context["form"].errors["tax_code"])
    # a dependent unit of the same company has its own 13-character code and may register
    assert client.post(SIGNUP, business_data(tax_code="3200123452-001")).status_code == 302
    assert User.objects.count() == 3


@pytest.mark.django_db
def test_signup_redirects_when_logged_in(client, citizen):
    client.force_login(citizen)
    assert client.get(SIGNUP).url == "/danh-ba/ho-so-ca-nhan/"


@pytest.mark.django_db
def test_profile_requires_login_and_updates_contact(client, citizen):
    url = reverse("directory:profile")
    assert client.get(url).url.startswith("/dang-nhap/")
    client.force_login(citizen)
    response = client.post(url, {"email": "moi@example.vn", "phone": "+84912345678", "address": "Đồng Hới"})
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert (citizen.email, citizen.phone, citizen.address) == ("moi@example.vn", "+84912345678", "Đồng Hới")
    assert history_for(citizen)[-1].before == {"email": "an@example.vn", "phone": "", "address": ""}
    response = client.post(url, {"email": "x", "phone": "1", "address": ""})
    assert response.status_code == 400
    assert "Số điện thoại phải có dạng" in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.email == "moi@example.vn"


@pytest.mark.django_db
def test_profile_shows_positions_of_officials(client, officer):
    client.force_login(officer)
    page = client.get(reverse("directory:profile")).content.decode()
    assert "Vị trí công tác" in page and "Sở Tư pháp" in page and "Cán bộ một cửa" in page


@pytest.mark.django_db
def test_password_change(client, citizen):
    client.force_login(citizen)
    response = client.post(
        reverse("directory:password_change"),
        {"old_password": PASSWORD, "new_password1": "Mat-khau-moi-2026", "new_password2": "Mat-khau-moi-2026"},
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.check_password("Mat-khau-moi-2026")
    assert history_for(citizen)[-1].action == "directory.password_changed"


@pytest.fixture
def demo_directory(db):
    import io

    from directory import demo

    demo.load(io.StringIO())


def test_agency_directory_page(client, demo_directory, django_assert_num_queries):
    url = reverse("directory:agencies")
    assert url == "/danh-ba/co-quan/"
    with django_assert_num_queries(4):  # agencies, units, default schedule, province name
        page = client.get(url).content.decode()
    for text in (
        "000.00.00.H44",
        "Sở Tư pháp",
        "000.00.11.H44",
        "Ủy ban nhân dân phường Đồng Hới",
        "000.01.30.H44",
        "Bộ phận Một cửa",
        "Giờ làm việc",
        "Phường Đồng Hới, tỉnh Quảng Trị",
    ):
        assert text in page
    # departments come before communes, the province committee first
    assert page.index("000.00.00.H44") < page.index("000.00.11.H44") < page.index("000.01.30.H44")


def test_agency_directory_search_without_diacritics(client, demo_directory):
    page = client.get("/danh-ba/co-quan/", {"q": "so tu phap"}).content.decode()
    assert "Sở Tư pháp" in page
    assert "Ủy ban nhân dân tỉnh Quảng Trị" in page  # kept as the ancestor
    assert "Sở Y tế" not in page
    page = client.get("/danh-ba/co-quan/", {"q": "khong co co quan nay"}).content.decode()
    assert "Không tìm thấy cơ quan nào" in page


@pytest.mark.django_db
def test_signup_submissions_are_limited(client, settings):
    settings.REGISTRATION_PAGE_LIMIT = 2
    assert client.post(SIGNUP, citizen_data(cccd="1")).status_code == 400
    assert client.post(SIGNUP, citizen_data(cccd="2")).status_code == 400
    response = client.post(SIGNUP, citizen_data())
    assert response.status_code == 429 and "quá nhiều yêu cầu" in response.content.decode()
    assert not User.objects.exists()


def test_pages_in_english(client, demo_directory, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/danh-ba/co-quan/").content.decode()
    assert "Agency directory" in page and "Office hours" in page and "000.00.11.H44" in page
    page = client.get(SIGNUP).content.decode()
    assert "Citizen identity number (CCCD)" in page
