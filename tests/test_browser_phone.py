"""The list pages on a 390 px phone (an iPhone 12–15 held upright): the page itself never scrolls sideways.

A wide table scrolls inside its own box (the rest of the page stays put and readable); nothing else may be
wider than the screen. Checked on the pages people open on their phones: the officials' queue, the citizen's
own dossiers, the public feedback list and the payments page of a dossier.
"""

import pytest

from conftest import browser_login
from dossiers import services
from dossiers.tests.factories import PASSWORD, fresh, make_world, pdf_upload, procedure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

# The page's width, and the first elements that reach past the screen's right edge (to say what overflows).
MEASURE = """() => {
  const clipped = e => {
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return true;
    }
    return false;
  };
  return {
  width: document.documentElement.scrollWidth,
  culprits: Array.from(document.querySelectorAll('body *'))
    .filter(e => e.getBoundingClientRect().right > 390.5 && !clipped(e))
    .slice(0, 6)
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).split(' ').join('.') : '')),
  };
}"""


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
    )
    context.set_default_timeout(15000)
    yield context.new_page()
    context.close()


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_world()


def assert_fits(page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    page.wait_for_load_state("networkidle")
    found = page.evaluate(MEASURE)
    assert found["width"] <= PHONE["width"], f"{url} is {found['width']} px wide: {found['culprits']}"
    # every table is readable: the last cell of its first row can be brought on screen (by scrolling the
    # table's own box where it scrolls), and its text is then within the screen
    tables = page.locator("main table").all()
    assert tables, url
    for table in tables:
        last = table.locator("tbody tr").first.locator("th, td").last
        last.scroll_into_view_if_needed()
        box = last.bounding_box()
        assert box is not None and box["x"] >= -0.5 and box["x"] + min(box["width"], 40) <= PHONE["width"], url
        assert page.evaluate(MEASURE)["width"] <= PHONE["width"], url


def long_named_version(world):
    version = procedure(
        "1.000088.000.00.00.H44",
        "Cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất lần đầu",
        receiving=world.centre,
        competent=world.justice,
        fees=True,
    )
    return version


def test_queue_and_my_dossiers_fit_a_phone(phone, world):
    version = long_named_version(world)
    for _ in range(3):
        services.dossier_submit_online(
            applicant=fresh(world.citizen),
            procedure_version=version,
            form_data={"muc_dich": "Xin việc tại Công ty trách nhiệm hữu hạn một thành viên Xây dựng Quảng Trị"},
            files={version.components.first().pk: [pdf_upload()]},
        )
    browser_login(phone, world.officer.username, PASSWORD)
    assert_fits(phone, "/ho-so/can-bo/")
    phone.context.clear_cookies()
    browser_login(phone, world.citizen.username, PASSWORD)
    assert_fits(phone, "/ho-so/cua-toi/")


def test_payments_page_fits_a_phone(phone, world):
    version = long_named_version(world)
    dossier = services.dossier_submit_online(
        applicant=fresh(world.citizen),
        procedure_version=version,
        form_data={"muc_dich": "Xin việc"},
        files={version.components.first().pk: [pdf_upload()]},
    )
    dossier = services.dossier_receive(dossier=dossier, officer=fresh(world.officer))
    assert dossier.status == "payment_requested"
    browser_login(phone, world.citizen.username, PASSWORD)
    assert_fits(phone, f"/thanh-toan/ho-so/{dossier.code}/")
    phone.context.clear_cookies()
    browser_login(phone, world.officer.username, PASSWORD)
    assert_fits(phone, f"/thanh-toan/ho-so/{dossier.code}/")


def test_feedback_list_fits_a_phone(phone, world):
    from feedback.tests.factories import AgencyFactory, CategoryFactory, ReportFactory

    category = CategoryFactory(name="Hạ tầng giao thông, chiếu sáng công cộng và vỉa hè đô thị")
    agency = AgencyFactory(name="Ủy ban nhân dân phường Đồng Hới, tỉnh Quảng Trị")
    for i in range(4):
        ReportFactory(
            category=category,
            status="routed",
            routed_agency=agency,
            description="Đèn chiếu sáng trên đường Hùng Vương hỏng nhiều ngày, người đi đường rất nguy hiểm " * 2,
            address=f"Số {i} đường Trần Hưng Đạo, phường Đồng Hới",
        )
    assert_fits(phone, "/phan-anh/")
