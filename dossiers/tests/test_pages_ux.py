"""The pages as citizens and officials meet them: the queue's filters, the workspace's forms, the online
form prefilled from the account, the draft kept between the form and the review, the fee shown before
submitting, the attached files shown inline. Driven over HTTP with the test client against the real services."""

from collections import Counter
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers import services

from .factories import fresh, make_world, pdf_upload, png_bytes, processing_dossier, text_as_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_world()


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


class _Ids(HTMLParser):
    """Every element id of a page, and every label's `for`."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.label_for: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "label" and attrs.get("for"):
            self.label_for.append(attrs["for"])


def ids_of(page: str) -> _Ids:
    parser = _Ids()
    parser.feed(page)
    return parser


# ============================================================================ the queue's procedure filter


def test_the_queue_filter_names_procedures_not_codes(client, world):
    processing_dossier(world)
    client.force_login(world.officer)
    page = html(client.get("/ho-so/can-bo/"))
    procedure = world.version.procedure
    assert f'<option value="{procedure.pk}">Cấp Phiếu lý lịch tư pháp cho công dân</option>' in page
    assert f'<option value="{procedure.pk}">{procedure.code}</option>' not in page
    # choosing it still filters
    page = html(client.get("/ho-so/can-bo/", {"procedure": str(procedure.pk)}))
    assert f'<option value="{procedure.pk}" selected>Cấp Phiếu lý lịch tư pháp cho công dân</option>' in page


# ============================================================================ unique ids on the workspace


def test_the_workspace_action_forms_have_unique_ids(client, world):
    dossier = processing_dossier(world)
    dossier = services.dossier_transfer(dossier=dossier, actor=fresh(world.specialist))  # at the leader's step
    client.force_login(world.leader)
    page = html(client.get(f"/ho-so/can-bo/ho-so/{dossier.code}/"))
    found = ids_of(page)
    assert "Phê duyệt" in page and "Trả lại bước trước" in page  # several forms with a `note` field
    assert [i for i, n in Counter(found.ids).items() if n > 1] == []
    assert 'id="id_phe-duyet_note"' in page and 'id="id_tra-lai_note"' in page
    assert set(found.label_for) <= set(found.ids)  # every label still points at its own field
    # the forms post the same field names as before
    response = client.post(f"/ho-so/can-bo/ho-so/{dossier.code}/tra-lai/", {"note": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Vui lòng nêu lý do trả lại." in page
    assert [i for i, n in Counter(ids_of(page).ids).items() if n > 1] == []


def test_the_desks_forms_on_a_new_dossier_have_unique_ids(client, world):
    from .factories import submitted_dossier

    dossier = submitted_dossier(world)
    client.force_login(world.officer)
    page = html(client.get(f"/ho-so/can-bo/ho-so/{dossier.code}/"))
    found = ids_of(page)
    assert 'id="id_yeu-cau-hoan-thien_reason"' in page and 'id="id_tu-choi_reason"' in page  # both ask a reason
    assert [i for i, n in Counter(found.ids).items() if n > 1] == []
    assert set(found.label_for) <= set(found.ids)


def test_two_open_consultations_have_answer_forms_with_their_own_ids(client, world):
    dossier = processing_dossier(world)
    for question in ("Thửa đất có tranh chấp không?", "Công trình có phép không?"):
        services.dossier_consult(dossier=dossier, actor=fresh(world.specialist), agency=world.other, question=question)
    client.force_login(world.other_specialist)
    page = html(client.get(f"/ho-so/can-bo/ho-so/{dossier.code}/"))
    found = ids_of(page)
    assert page.count("Gửi ý kiến") == 2
    assert [i for i, n in Counter(found.ids).items() if n > 1] == []
    assert set(found.label_for) <= set(found.ids)
    first, second = dossier.consultations.order_by("pk")
    response = client.post(
        f"/ho-so/can-bo/ho-so/{dossier.code}/tra-loi-y-kien/",
        {"consultation": str(second.pk), "answer": "Có giấy phép."},
    )
    assert response.status_code == 302
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.answer == "Có giấy phép." and first.answered_at is None


# ============================================================================ files read in the page


def dossier_with_pdf_and_image(world):
    image = SimpleUploadedFile("anh-cccd.png", png_bytes(), content_type="image/png")
    dossier = services.dossier_submit_online(
        applicant=fresh(world.citizen),
        procedure_version=world.version,
        form_data={"muc_dich": "Xin việc"},
        files={world.component.pk: [pdf_upload("to-khai.pdf")], world.version.components.last().pk: [image]},
    )
    return services.dossier_receive(dossier=dossier, officer=fresh(world.officer))


def test_the_workspace_shows_pdfs_and_images_inline_through_the_checked_file_view(client, world):
    dossier = dossier_with_pdf_and_image(world)
    pdf = dossier.files.get(content_type="application/pdf")
    image = dossier.files.get(content_type="image/png")
    client.force_login(world.specialist)
    page = html(client.get(f"/ho-so/can-bo/ho-so/{dossier.code}/"))
    pdf_url = f"/ho-so/tai-ve/{dossier.code}/tep/{pdf.pk}/"
    image_url = f"/ho-so/tai-ve/{dossier.code}/tep/{image.pk}/"
    assert f'<iframe class="file-view file-view-pdf" src="{pdf_url}?xem=1" title="to-khai.pdf"' in page
    assert f'<img class="file-view file-view-image" src="{image_url}?xem=1" alt="anh-cccd.png"' in page

    response = client.get(pdf_url, {"xem": "1"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert (
        response["X-Frame-Options"] == "SAMEORIGIN" and "frame-ancestors 'self'" in response["Content-Security-Policy"]
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    response = client.get(image_url, {"xem": "1"})
    assert response["Content-Type"] == "image/png" and response["Content-Disposition"].startswith("inline;")
    # without the parameter it is still a download, framed nowhere
    response = client.get(pdf_url)
    assert response["Content-Disposition"].startswith("attachment;") and response["X-Frame-Options"] == "DENY"


def test_inline_files_keep_the_permission_check(client, world):
    dossier = dossier_with_pdf_and_image(world)
    pdf = dossier.files.get(content_type="application/pdf")
    url = f"/ho-so/tai-ve/{dossier.code}/tep/{pdf.pk}/?xem=1"
    assert client.get(url).status_code == 302  # no login: to the login page
    for user in (world.other_officer, world.citizen2):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    client.force_login(world.citizen)  # the applicant reads their own file
    assert client.get(url)["Content-Disposition"].startswith("inline;")


def test_only_pdf_and_images_are_served_inline(client, world):
    from dossiers.models import DossierFile

    dossier = dossier_with_pdf_and_image(world)
    DossierFile.objects.filter(dossier=dossier, content_type="image/png").update(content_type="text/html")
    item = dossier.files.get(content_type="text/html")
    client.force_login(world.specialist)
    page = html(client.get(f"/ho-so/can-bo/ho-so/{dossier.code}/"))
    assert f"/tep/{item.pk}/?xem=1" not in page
    response = client.get(f"/ho-so/tai-ve/{dossier.code}/tep/{item.pk}/", {"xem": "1"})
    assert response["Content-Disposition"].startswith("attachment;")


# ============================================================================ the online form


PERSON_SCHEMA = {
    "type": "object",
    "properties": {
        "ho_ten": {"type": "string", "title": "Họ, chữ đệm và tên người yêu cầu", "maxLength": 100},
        "so_cccd": {"type": "string", "title": "Số định danh cá nhân (CCCD)", "x-validator": "cccd"},
        "noi_o": {"type": "string", "title": "Nơi cư trú", "x-prefill": "address"},
        "dien_thoai": {"type": "string", "title": "Số điện thoại liên hệ"},
        "ho_ten_ben_kia": {"type": "string", "title": "Họ tên bên kia"},
        "dia_chi": {"type": "string", "title": "Địa chỉ thửa đất", "x-prefill": False},
        "muc_dich": {"type": "string", "title": "Mục đích sử dụng"},
    },
    "required": ["ho_ten", "so_cccd", "muc_dich"],
}


def person_version(world):
    from .factories import procedure

    return procedure(
        "1.000050.000.00.00.H44",
        "Cấp bản sao trích lục hộ tịch",
        receiving=world.centre,
        competent=world.justice,
        schema=PERSON_SCHEMA,
        fees=True,
    )


def input_value(page: str, name: str) -> str | None:
    """The value attribute of the input named `name` (None when it has none)."""

    class Finder(HTMLParser):
        found: str | None = None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "input" and attrs.get("name") == name:
                Finder.found = attrs.get("value")

    Finder().feed(page)
    return Finder.found


def test_the_online_form_starts_from_the_account_and_the_applicant_may_change_it(
    client, world, django_capture_on_commit_callbacks
):
    from dossiers.models import Dossier

    version = person_version(world)
    citizen = fresh(world.citizen)
    citizen.address = "Số 5 Hùng Vương, phường Đồng Hới, tỉnh Quảng Trị"
    citizen.save(update_fields=["address"])
    client.force_login(citizen)
    url = f"/ho-so/nop/{version.procedure.code}/"
    page = html(client.get(url))
    assert input_value(page, "f-ho_ten") == "Nguyễn Văn An"
    assert input_value(page, "f-so_cccd") == "044090000123"
    assert input_value(page, "f-noi_o") == "Số 5 Hùng Vương, phường Đồng Hới, tỉnh Quảng Trị"  # by x-prefill
    assert input_value(page, "f-dien_thoai") == "0912345678"
    assert input_value(page, "f-ho_ten_ben_kia") is None  # another person's name is not the applicant's
    assert input_value(page, "f-dia_chi") is None  # x-prefill: false
    assert input_value(page, "f-muc_dich") is None

    response = client.post(
        url,
        {
            "step": "review",
            "f-ho_ten": "Nguyễn Văn An",
            "f-so_cccd": "044090000123",
            "f-noi_o": "Thôn 3, xã Bố Trạch",  # changed by the applicant
            "f-dien_thoai": "0987654321",
            "f-muc_dich": "Kết hôn",
            f"c{version.components.first().pk}": pdf_upload(),
        },
    )
    assert "Thôn 3, xã Bố Trạch" in html(response)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"step": "submit"})
    dossier = Dossier.objects.get()
    assert dossier.form_data["noi_o"] == "Thôn 3, xã Bố Trạch" and dossier.form_data["dien_thoai"] == "0987654321"

    client.force_login(world.citizen2)  # each account fills in its own
    page = html(client.get(url))
    assert input_value(page, "f-ho_ten") == "Trần Thị Bình" and input_value(page, "f-so_cccd") == "044190000456"
    assert input_value(page, "f-dien_thoai") is None  # no phone on that account: left empty


def test_a_wrong_prefill_attribute_is_refused_in_the_schema():
    from catalog.formschema import schema_problems

    schema = {"type": "object", "properties": {"a": {"type": "string", "title": "A", "x-prefill": "password"}}}
    assert any("x-prefill" in p for p in schema_problems(schema))
    schema["properties"]["a"]["x-prefill"] = "phone"
    assert schema_problems(schema) == []


def test_the_review_shows_the_fee_to_pay(client, world):
    version = person_version(world)  # with "Lệ phí cấp phiếu" 200 000 đồng
    client.force_login(world.citizen)
    url = f"/ho-so/nop/{version.procedure.code}/"
    page = html(client.post(url, {"step": "review", "f-ho_ten": "A", "f-so_cccd": "044090000123", "f-muc_dich": "x"}))
    assert "Phí, lệ phí phải nộp" in page
    assert "Lệ phí cấp phiếu" in page and "200.000 đồng" in page and "Tổng cộng" in page
    # a procedure without fees says so
    page = html(client.post(f"/ho-so/nop/{world.version.procedure.code}/", {"step": "review", "f-muc_dich": "x"}))
    assert "Thủ tục không thu phí, lệ phí." in page and "Tổng cộng" not in page


# ============================================================================ the draft: back from the review


def draft_files() -> list[str]:
    from django.core.files.storage import default_storage

    if not default_storage.exists("dossiers/drafts"):
        return []
    found = []
    for token in default_storage.listdir("dossiers/drafts")[0]:
        found += [f"dossiers/drafts/{token}/{n}" for n in default_storage.listdir(f"dossiers/drafts/{token}")[1]]
    return found


def png_upload(name="anh.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


class Pending(HTMLParser):
    """The draft's files listed on the form: {file name: keep-box value}, and the draft token."""

    def __init__(self, page):
        super().__init__()
        self.files: dict[str, str] = {}
        self.token = ""
        self._box = None
        self._in_file = False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") == "keep":
            self._box = attrs["value"]
        if tag == "input" and attrs.get("name") == "draft":
            self.token = attrs["value"]
        self._in_file = tag == "span" and attrs.get("class") == "file" and self._box is not None

    def handle_data(self, data):
        if self._in_file:
            self.files[data] = self._box
            self._box, self._in_file = None, False


def test_going_back_from_the_review_keeps_the_files_which_may_be_removed_or_replaced(
    client, world, django_capture_on_commit_callbacks
):
    from dossiers.models import Dossier

    first, second = world.version.components.order_by("order")
    url = f"/ho-so/nop/{world.version.procedure.code}/"
    client.force_login(world.citizen)
    review = html(
        client.post(
            url,
            {
                "step": "review",
                "f-muc_dich": "Xin việc",
                f"c{first.pk}": pdf_upload("to-khai.pdf"),
                f"c{second.pk}": png_upload("cccd-cu.png"),
            },
        )
    )
    assert "to-khai.pdf" in review and "cccd-cu.png" in review
    assert "cần chọn lại tệp" not in review
    assert len(draft_files()) == 2

    response = client.post(url, {"step": "edit"})  # "Quay lại sửa"
    assert response.status_code == 302 and response["Location"] == url
    response = client.get(url)
    assert response["Cache-Control"] == "no-store"  # Back asks the server again, which lists the draft's files
    form = html(response)
    pending = Pending(form)
    assert set(pending.files) == {"to-khai.pdf", "cccd-cu.png"} and pending.token
    assert input_value(form, "f-muc_dich") == "Xin việc"  # the answers come back too
    assert len(draft_files()) == 2  # nothing was deleted by going back

    # keep the form, drop the old ID card image, attach a new one instead
    review = html(
        client.post(
            url,
            {
                "step": "review",
                "draft": pending.token,
                "keep": [pending.files["to-khai.pdf"]],
                "f-muc_dich": "Xin việc",
                f"c{second.pk}": png_upload("cccd-moi.png"),
            },
        )
    )
    assert "to-khai.pdf" in review and "cccd-moi.png" in review and "cccd-cu.png" not in review
    assert len(draft_files()) == 2  # the removed file is deleted at once

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"step": "submit"})
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert sorted(dossier.files.values_list("original_name", flat=True)) == ["cccd-moi.png", "to-khai.pdf"]
    assert draft_files() == []


def test_a_form_that_did_not_list_the_draft_does_not_bring_its_files_back(client, world):
    """A form opened before the draft existed (another tab, the browser's cache) sends no keep boxes: the
    draft's files are dropped, not added twice."""
    url = f"/ho-so/nop/{world.version.procedure.code}/"
    client.force_login(world.citizen)
    client.post(url, {"step": "review", "f-muc_dich": "x", f"c{world.component.pk}": pdf_upload("cu.pdf")})
    (old,) = draft_files()
    review = html(
        client.post(url, {"step": "review", "f-muc_dich": "x", f"c{world.component.pk}": pdf_upload("moi.pdf")})
    )
    assert "moi.pdf" in review and "cu.pdf" not in review
    (new,) = draft_files()
    assert new != old
    # a forged keep of a name that is not in the draft keeps nothing either
    token = Pending(html(client.get(url))).token
    review = html(client.post(url, {"step": "review", "draft": token, "keep": ["../../etc", "x"], "f-muc_dich": "x"}))
    assert "moi.pdf" not in review and draft_files() == []


def test_a_good_file_waits_while_the_form_is_corrected_and_only_a_reviewed_draft_is_filed(client, world):
    from dossiers.models import Dossier

    url = f"/ho-so/nop/{world.version.procedure.code}/"
    client.force_login(world.citizen)
    response = client.post(
        url,
        {
            "step": "review",
            "f-muc_dich": "",  # required: the form comes back
            f"c{world.component.pk}": pdf_upload("to-khai.pdf"),
            f"c{world.version.components.last().pk}": text_as_pdf(),  # refused, not kept
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Vui lòng nhập Mục đích sử dụng." in page and "không phải PDF, JPEG, PNG" in page
    pending = Pending(page)
    assert set(pending.files) == {"to-khai.pdf"}
    assert len(draft_files()) == 1
    client.post(url, {"step": "submit"})  # a confirmation of a draft never reviewed files nothing
    assert Dossier.objects.count() == 0
    review = html(
        client.post(
            url, {"step": "review", "draft": pending.token, "keep": list(pending.files.values()), "f-muc_dich": "Xin"}
        )
    )
    assert "to-khai.pdf" in review
    assert client.post(url, {"step": "submit"}).status_code == 302
    assert Dossier.objects.get().files.get().original_name == "to-khai.pdf"


def test_a_draft_abandoned_after_going_back_is_swept(client, world, settings):
    import os
    import time
    from pathlib import Path

    from dossiers.sweep import dossiers_sweep_files

    url = f"/ho-so/nop/{world.version.procedure.code}/"
    client.force_login(world.citizen)
    client.post(url, {"step": "review", "f-muc_dich": "x", f"c{world.component.pk}": pdf_upload()})
    client.post(url, {"step": "edit"})
    (name,) = draft_files()
    then = time.time() - 25 * 3600
    os.utime(Path(settings.MEDIA_ROOT) / name, (then, then))
    report = dossiers_sweep_files(older_than_hours=24)
    assert report.draft_files == 1 and draft_files() == []
    assert Pending(html(client.get(url))).files == {}  # the form no longer lists what is gone
