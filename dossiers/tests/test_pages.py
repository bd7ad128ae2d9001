"""The dossier pages, driven over HTTP with Django's test client against the real services and database."""

import datetime as dt
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dossiers import services
from dossiers.models import Dossier, DossierFile, DossierRating, DossierSlip, PersonalDocument

from .factories import (
    fresh,
    make_world,
    pdf_upload,
    processed_dossier,
    processing_dossier,
    submitted_dossier,
    text_as_pdf,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast accounts
    return make_world()


def login(client, user):
    client.force_login(user)
    return client


def html(response) -> str:
    return response.content.decode()


# ============================================================================ public lookup


def test_lookup_shows_status_and_dates_but_no_personal_data(client, world):
    dossier = processing_dossier(world)
    response = client.get("/ho-so/tra-cuu/", {"code": dossier.code.lower(), "secret": dossier.lookup_secret})
    assert response.status_code == 200
    page = html(response)
    assert "Đang xử lý" in page
    assert dossier.code in page
    assert timezone.localtime(dossier.due_at).strftime("%d/%m/%Y") in page
    assert "Nguyễn Văn An" not in page and "044090000123" not in page
    assert response["Cache-Control"] == "no-store"


def test_lookup_with_wrong_secret_finds_nothing(client, world):
    dossier = submitted_dossier(world)
    response = client.get("/ho-so/tra-cuu/", {"code": dossier.code, "secret": "SAI00000"})
    assert response.status_code == 200
    assert "Không tìm thấy hồ sơ" in html(response)
    assert "Mới đăng ký" not in html(response)


def test_lookup_form_requires_both_fields(client, world):
    response = client.get("/ho-so/tra-cuu/", {"code": "", "secret": ""})
    assert "Vui lòng nhập mã hồ sơ." in html(response)
    assert "Vui lòng nhập mã tra cứu." in html(response)


# ============================================================================ submitting online


def draft_files() -> list[str]:
    if not default_storage.exists("dossiers/drafts"):
        return []
    found = []
    for token in default_storage.listdir("dossiers/drafts")[0]:
        found += default_storage.listdir(f"dossiers/drafts/{token}")[1]
    return found


def submit_url(world):
    return f"/ho-so/nop/{world.version.procedure.code}/"


def test_submit_needs_login(client, world):
    response = client.get(submit_url(world))
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")


def test_procedure_not_offered_online_cannot_be_submitted(client, world):
    login(client, world.citizen)
    response = client.get(f"/ho-so/nop/{world.offline_version.procedure.code}/")
    assert response.status_code == 404
    assert "không cung cấp dịch vụ công trực tuyến" in html(response)


def test_submit_review_then_submit_creates_the_dossier(client, world, django_capture_on_commit_callbacks):
    login(client, world.citizen)
    page = html(client.get(submit_url(world)))
    assert "Tờ khai yêu cầu cấp phiếu" in page and "Mục đích sử dụng" in page
    assert 'accept=".pdf,.jpg,.jpeg,.png' in page
    component = world.component
    response = client.post(
        submit_url(world),
        {
            "step": "review",
            "f-muc_dich": "Bổ sung hồ sơ xin việc",
            "f-so_ban": "2",
            "result_method": "post",
            f"c{component.pk}": pdf_upload("to-khai-cua-toi.pdf"),
        },
    )
    assert response.status_code == 200
    review = html(response)
    assert "Kiểm tra hồ sơ trước khi nộp" in review
    assert "to-khai-cua-toi.pdf" in review and "Bổ sung hồ sơ xin việc" in review and "Qua bưu chính" in review
    assert Dossier.objects.count() == 0  # nothing is filed before the applicant confirms
    assert len(draft_files()) == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(submit_url(world), {"step": "submit"})
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/ho-so/da-nop/{dossier.code}/"
    assert dossier.applicant == world.citizen and dossier.status == "submitted" and dossier.result_method == "post"
    assert dossier.form_data == {"muc_dich": "Bổ sung hồ sơ xin việc", "so_ban": 2}
    stored = dossier.files.get()
    assert stored.original_name == "to-khai-cua-toi.pdf" and stored.content_type == "application/pdf"
    confirmation = html(client.get(response["Location"]))
    assert dossier.code in confirmation and dossier.lookup_secret in confirmation
    assert "khi bộ phận một cửa tiếp nhận hồ sơ" in confirmation
    # the draft's temporary copy of the upload is gone once submitted
    assert draft_files() == []


def test_bad_upload_gets_a_vietnamese_error_and_creates_nothing(client, world):
    login(client, world.citizen)
    response = client.post(
        submit_url(world),
        {
            "step": "review",
            "f-muc_dich": "Xin việc",
            f"c{world.component.pk}": text_as_pdf(),
        },
    )
    assert response.status_code == 400
    assert "không phải PDF, JPEG, PNG" in html(response)
    assert Dossier.objects.count() == 0 and DossierFile.objects.count() == 0
    # and a forged confirmation without a review creates nothing either
    response = client.post(submit_url(world), {"step": "submit"})
    assert Dossier.objects.count() == 0


def test_form_errors_are_shown_in_vietnamese(client, world):
    login(client, world.citizen)
    response = client.post(
        submit_url(world), {"step": "review", "f-so_ban": "9", f"c{world.component.pk}": pdf_upload()}
    )
    assert response.status_code == 400
    page = html(response)
    assert "Vui lòng nhập Mục đích sử dụng." in page
    assert "Số bản phải nhỏ hơn hoặc bằng 5." in page


def test_missing_required_component_is_refused_at_submission(client, world):
    login(client, world.citizen)
    response = client.post(submit_url(world), {"step": "review", "f-muc_dich": "Xin việc"})
    assert response.status_code == 200
    response = client.post(submit_url(world), {"step": "submit"})
    assert response.status_code == 400
    assert "Thiếu thành phần hồ sơ bắt buộc: Tờ khai yêu cầu cấp phiếu." in html(response)
    assert Dossier.objects.count() == 0


def test_reuse_from_the_personal_data_store(client, world):
    document = services.personal_document_add(
        owner=fresh(world.citizen), title="CCCD đã số hóa", file=pdf_upload("cccd.pdf")
    )
    login(client, world.citizen)
    assert "CCCD đã số hóa" in html(client.get(submit_url(world)))
    response = client.post(
        submit_url(world), {"step": "review", "f-muc_dich": "Xin việc", f"r{world.component.pk}": [str(document.pk)]}
    )
    assert "CCCD đã số hóa" in html(response)
    client.post(submit_url(world), {"step": "submit"})
    stored = Dossier.objects.get().files.get()
    assert stored.reused_from == document


def test_officials_cannot_file_online(client, world):
    login(client, world.officer)
    client.post(submit_url(world), {"step": "review", "f-muc_dich": "x", f"c{world.component.pk}": pdf_upload()})
    response = client.post(submit_url(world), {"step": "submit"})
    assert response.status_code == 403
    assert Dossier.objects.count() == 0


# ============================================================================ my dossiers


def test_my_list_shows_only_my_dossiers_without_n_plus_one(client, world, django_assert_max_num_queries):
    mine = [submitted_dossier(world) for _ in range(3)]
    theirs = submitted_dossier(world, applicant=world.citizen2)
    login(client, world.citizen)
    with CaptureQueriesContext(connection) as few:
        page = html(client.get("/ho-so/cua-toi/"))
    assert all(d.code in page for d in mine) and theirs.code not in page
    assert "Mới đăng ký" in page
    for _ in range(4):
        submitted_dossier(world)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/ho-so/cua-toi/")


def test_a_citizen_never_sees_another_persons_dossier(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = processing_dossier(world)
    slip = DossierSlip.objects.filter(dossier=dossier).first()
    item = dossier.files.first()
    login(client, world.citizen2)
    assert client.get(f"/ho-so/cua-toi/{dossier.code}/").status_code == 404
    assert client.get(f"/ho-so/tai-ve/{dossier.code}/tep/{item.pk}/").status_code == 404
    if slip is not None:
        assert client.get(f"/ho-so/tai-ve/{dossier.code}/phieu/{slip.pk}/").status_code == 404
    assert client.post(f"/ho-so/cua-toi/{dossier.code}/rut/", {"reason": "x"}).status_code == 404
    assert client.get(f"/ho-so/can-bo/ho-so/{dossier.code}/").status_code == 403
    assert dossier.code not in html(client.get("/ho-so/cua-toi/"))


def test_my_detail_shows_status_timeline_and_appointment(client, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = processing_dossier(world)
    login(client, world.citizen)
    page = html(client.get(f"/ho-so/cua-toi/{dossier.code}/"))
    assert "Đang xử lý" in page and "Nộp hồ sơ trực tuyến" in page and "Tiếp nhận hồ sơ" in page
    assert timezone.localtime(dossier.due_at).strftime("%d/%m/%Y %H:%M") in page
    receipt = DossierSlip.objects.get(dossier=dossier, kind="receipt")
    assert f"/ho-so/tai-ve/{dossier.code}/phieu/{receipt.pk}/" in page
    response = client.get(f"/ho-so/tai-ve/{dossier.code}/phieu/{receipt.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")


def test_supplement_answered_online_resumes_processing(client, world):
    dossier = processing_dossier(world)
    services.dossier_request_supplement(
        dossier=dossier, actor=fresh(world.specialist), reason="Ảnh CCCD bị mờ", items=["Bản chụp CCCD rõ nét"]
    )
    login(client, world.citizen)
    page = html(client.get(f"/ho-so/cua-toi/{dossier.code}/"))
    assert "Ảnh CCCD bị mờ" in page and "Bản chụp CCCD rõ nét" in page and "Gửi giấy tờ bổ sung" in page

    response = client.post(f"/ho-so/cua-toi/{dossier.code}/bo-sung/", {"files": text_as_pdf("cccd.pdf")})
    assert response.status_code == 400 and "không phải PDF, JPEG, PNG" in html(response)
    assert Dossier.objects.get(pk=dossier.pk).status == "supplement_requested"

    response = client.post(
        f"/ho-so/cua-toi/{dossier.code}/bo-sung/", {"files": pdf_upload("cccd-ro.pdf"), "note": "Đã chụp lại"}
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == "processing"
    assert dossier.files.filter(kind="supplement", original_name="cccd-ro.pdf").exists()
    assert dossier.supplement_requests.get().answered_at is not None


def test_withdrawal_request_needs_a_reason(client, world):
    dossier = processing_dossier(world)
    login(client, world.citizen)
    response = client.post(f"/ho-so/cua-toi/{dossier.code}/rut/", {"reason": "  "})
    assert response.status_code == 400 and "Vui lòng nêu lý do." in html(response)
    assert Dossier.objects.get(pk=dossier.pk).status == "processing"
    response = client.post(f"/ho-so/cua-toi/{dossier.code}/rut/", {"reason": "Không còn nhu cầu"})
    assert response.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).status == "withdrawal_requested"


def test_result_download_and_rating_after_return(client, world):
    dossier = processed_dossier(world)
    result = dossier.files.get(kind="result")
    login(client, world.citizen)
    # not returned yet: the result is not offered and rating is refused
    assert client.get(f"/ho-so/tai-ve/{dossier.code}/tep/{result.pk}/").status_code == 404
    response = client.post(f"/ho-so/cua-toi/{dossier.code}/danh-gia/", {"score": "5"})
    assert response.status_code == 400 and "Chỉ đánh giá được sau khi đã nhận kết quả." in html(response)

    services.dossier_return_result(dossier=dossier, actor=fresh(world.officer), method="online")
    page = html(client.get(f"/ho-so/cua-toi/{dossier.code}/"))
    assert "Đã trả kết quả" in page and "Tải kết quả" in page and "Gửi đánh giá" in page
    response = client.get(f"/ho-so/tai-ve/{dossier.code}/tep/{result.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")

    response = client.post(f"/ho-so/cua-toi/{dossier.code}/danh-gia/", {"score": "9"})
    assert response.status_code == 400 and "Số sao phải từ 1 đến 5." in html(response)
    assert not DossierRating.objects.exists()
    response = client.post(f"/ho-so/cua-toi/{dossier.code}/danh-gia/", {"score": "4", "comment": "Nhanh, gọn"})
    assert response.status_code == 302
    rating = DossierRating.objects.get()
    assert (rating.score, rating.comment) == (4, "Nhanh, gọn")
    assert "4/5" in html(client.get(f"/ho-so/cua-toi/{dossier.code}/"))


# ============================================================================ personal data store


def test_personal_store_upload_list_and_download(client, world):
    login(client, world.citizen)
    response = client.post("/ho-so/kho-du-lieu/", {"title": "Bằng tốt nghiệp", "file": text_as_pdf("bang.pdf")})
    assert response.status_code == 400 and "không phải PDF, JPEG, PNG" in html(response)
    assert not PersonalDocument.objects.exists()
    response = client.post("/ho-so/kho-du-lieu/", {"title": "", "file": pdf_upload()})
    assert response.status_code == 400 and "Vui lòng nhập tên giấy tờ." in html(response)
    response = client.post("/ho-so/kho-du-lieu/", {"title": "Bằng tốt nghiệp", "file": pdf_upload("bang.pdf")})
    assert response.status_code == 302
    document = PersonalDocument.objects.get()
    assert "Bằng tốt nghiệp" in html(client.get("/ho-so/kho-du-lieu/"))
    assert client.get(f"/ho-so/kho-du-lieu/{document.pk}/").status_code == 200
    login(client, world.citizen2)
    assert client.get(f"/ho-so/kho-du-lieu/{document.pk}/").status_code == 404
    assert "Bằng tốt nghiệp" not in html(client.get("/ho-so/kho-du-lieu/"))


# ============================================================================ officials: who may open which page


STAFF_PAGES = ["workspace", "control_sheet", "control_sheet_pdf", "queue", "register_pick", "register"]


def staff_url(name, dossier, world):
    return {
        "workspace": f"/ho-so/can-bo/ho-so/{dossier.code}/",
        "control_sheet": f"/ho-so/can-bo/ho-so/{dossier.code}/phieu-kiem-soat/",
        "control_sheet_pdf": f"/ho-so/can-bo/ho-so/{dossier.code}/phieu-kiem-soat/?dinh-dang=pdf",
        "queue": "/ho-so/can-bo/",
        "register_pick": "/ho-so/can-bo/tiep-nhan/",
        "register": f"/ho-so/can-bo/tiep-nhan/{world.version.procedure.code}/",
    }[name]


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_page_without_login_redirects(client, world, name):
    dossier = submitted_dossier(world)
    response = client.get(staff_url(name, dossier, world))
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_page_refuses_the_wrong_role(client, world, name):
    dossier = submitted_dossier(world)
    for user in (world.feedback_operator, world.citizen):
        login(client, user)
        assert client.get(staff_url(name, dossier, world)).status_code == 403, user


@pytest.mark.parametrize(
    ("name", "expected"), [("workspace", 404), ("control_sheet", 404), ("control_sheet_pdf", 404), ("register", 403)]
)
def test_staff_page_of_another_agency(client, world, name, expected):
    dossier = submitted_dossier(world)
    login(client, world.other_officer)
    assert client.get(staff_url(name, dossier, world)).status_code == expected
    login(client, world.other_specialist)
    assert client.get(staff_url(name, dossier, world)).status_code in (403, 404)


def test_queue_and_register_pick_of_another_agency_list_nothing_of_ours(client, world):
    dossier = submitted_dossier(world)
    login(client, world.other_officer)
    assert dossier.code not in html(client.get("/ho-so/can-bo/"))
    assert world.version.name not in html(client.get("/ho-so/can-bo/tiep-nhan/"))


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_page_for_the_right_role(client, world, name):
    dossier = processing_dossier(world)
    login(client, world.officer)
    response = client.get(staff_url(name, dossier, world))
    assert response.status_code == 200
    if name == "control_sheet_pdf":
        assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF-")
    elif name == "control_sheet":
        page = html(response)
        assert "Tiếp nhận hồ sơ" in page and "Thẩm định hồ sơ" in page and "Đúng hạn" in page


def test_specialist_sees_the_dossier_at_their_step(client, world):
    dossier = processing_dossier(world)
    login(client, world.specialist)
    assert dossier.code in html(client.get("/ho-so/can-bo/"))
    page = html(client.get(f"/ho-so/can-bo/ho-so/{dossier.code}/"))
    assert "Chuyển bước xử lý" in page and "Yêu cầu bổ sung giấy tờ" in page
    assert "Tiếp nhận hồ sơ</button>" not in page


# ============================================================================ officials: actions


def action_url(dossier, slug):
    return f"/ho-so/can-bo/ho-so/{dossier.code}/{slug}/"


def test_receive_shows_appointment_and_issues_the_receipt(client, world, django_capture_on_commit_callbacks):
    dossier = submitted_dossier(world)
    login(client, world.officer)
    page = html(client.get(f"/ho-so/can-bo/ho-so/{dossier.code}/"))
    assert "Nếu tiếp nhận bây giờ, hẹn trả kết quả" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(dossier, "tiep-nhan"))
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == "processing" and dossier.due_at is not None
    assert DossierSlip.objects.filter(dossier=dossier, kind="receipt").exists()


def test_action_by_the_wrong_role_is_forbidden_and_changes_nothing(client, world):
    dossier = submitted_dossier(world)
    login(client, world.leader)  # sees the dossier (leader of the competent agency), may not receive it
    assert client.post(action_url(dossier, "tiep-nhan")).status_code == 403
    login(client, world.other_officer)
    assert client.post(action_url(dossier, "tiep-nhan")).status_code == 404
    client.logout()
    assert client.post(action_url(dossier, "tiep-nhan")).status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).status == "submitted"


def test_refusal_needs_a_reason(client, world, django_capture_on_commit_callbacks):
    dossier = submitted_dossier(world)
    login(client, world.officer)
    response = client.post(action_url(dossier, "tu-choi"), {"reason": ""})
    assert response.status_code == 400 and "Vui lòng nêu lý do." in html(response)
    assert Dossier.objects.get(pk=dossier.pk).status == "submitted"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action_url(dossier, "tu-choi"), {"reason": "Không thuộc thẩm quyền"})
    assert response.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).status == "refused"
    assert DossierSlip.objects.filter(dossier=dossier, kind="refusal").exists()


def test_request_completion_then_citizen_completes(client, world):
    dossier = submitted_dossier(world)
    login(client, world.officer)
    response = client.post(action_url(dossier, "yeu-cau-hoan-thien"), {"reason": "Thiếu chữ ký", "items": ""})
    assert response.status_code == 400 and "Vui lòng liệt kê ít nhất một mục." in html(response)
    response = client.post(
        action_url(dossier, "yeu-cau-hoan-thien"), {"reason": "Thiếu chữ ký", "items": "Tờ khai có chữ ký\nẢnh 4x6"}
    )
    assert response.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).status == "completion_requested"
    login(client, world.citizen)
    assert "Thiếu chữ ký" in html(client.get(f"/ho-so/cua-toi/{dossier.code}/"))
    response = client.post(f"/ho-so/cua-toi/{dossier.code}/hoan-thien/", {f"c{world.component.pk}": text_as_pdf()})
    assert response.status_code == 400 and "không phải PDF, JPEG, PNG" in html(response)
    assert Dossier.objects.get(pk=dossier.pk).status == "completion_requested"
    response = client.post(
        f"/ho-so/cua-toi/{dossier.code}/hoan-thien/", {f"c{world.component.pk}": pdf_upload("ky.pdf")}
    )
    assert response.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).status == "submitted"


def test_processing_chain_transfer_approve_result_return(client, world):
    dossier = processing_dossier(world)
    login(client, world.specialist)
    response = client.post(action_url(dossier, "chuyen"), {"to_user": str(world.leader.pk), "note": "Đủ điều kiện"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.current_step.name == "Lãnh đạo Sở phê duyệt" and dossier.assignee == world.leader
    login(client, world.leader)
    assert client.post(action_url(dossier, "phe-duyet"), {"note": ""}).status_code == 302
    login(client, world.officer)
    response = client.post(action_url(dossier, "ket-qua"), {})
    assert response.status_code == 400
    assert "Hãy đính kèm tệp kết quả hoặc chọn tạo kết quả tự động." in html(response)
    response = client.post(action_url(dossier, "ket-qua"), {"file": text_as_pdf("kq.pdf")})
    assert response.status_code == 400 and "không phải PDF" in html(response)
    assert Dossier.objects.get(pk=dossier.pk).status == "processing"
    assert client.post(action_url(dossier, "ket-qua"), {"file": pdf_upload("kq.pdf")}).status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).status == "processed"
    assert client.post(action_url(dossier, "tra-ket-qua"), {"method": "post"}).status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == "returned" and dossier.result_method == "post"
    sheet = html(client.get(f"/ho-so/can-bo/ho-so/{dossier.code}/phieu-kiem-soat/"))
    assert "Lãnh đạo Sở phê duyệt" in sheet and "Trả kết quả" in sheet


def test_generate_result_signs_a_pdf(client, world, django_capture_on_commit_callbacks):
    dossier = processing_dossier(world)
    services.dossier_transfer(dossier=dossier, actor=fresh(world.specialist))
    services.dossier_approve(dossier=Dossier.objects.get(pk=dossier.pk), leader=fresh(world.leader))
    login(client, world.officer)
    response = client.post(action_url(dossier, "ket-qua"), {"generate": "on"})
    assert response.status_code == 302
    slip = DossierSlip.objects.get(dossier=dossier, kind="result")
    with slip.file.open("rb") as fh:
        assert fh.read(5) == b"%PDF-"


def test_apology_for_a_late_dossier(client, world, django_capture_on_commit_callbacks):
    dossier = processing_dossier(world)
    Dossier.objects.filter(pk=dossier.pk).update(due_at=timezone.now() - timedelta(days=1))
    login(client, world.officer)
    assert "Đã quá hạn" in html(client.get(f"/ho-so/can-bo/ho-so/{dossier.code}/"))
    response = client.post(action_url(dossier, "xin-loi"), {"reason": "Chờ xác minh", "new_due_at": "01/01/2020 08:00"})
    assert response.status_code == 400 and "Ngày hẹn mới phải sau thời điểm hiện tại." in html(response)
    new_due = timezone.localtime() + timedelta(days=5)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            action_url(dossier, "xin-loi"),
            {"reason": "Chờ xác minh của cơ quan công an", "new_due_at": new_due.strftime("%Y-%m-%dT%H:%M")},
        )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.apology_count == 1 and dossier.due_at.strftime("%Y%m%d%H%M") == new_due.astimezone(dt.UTC).strftime(
        "%Y%m%d%H%M"
    )
    assert DossierSlip.objects.filter(dossier=dossier, kind="apology").exists()


def test_register_a_counter_dossier(client, world, django_capture_on_commit_callbacks):
    login(client, world.officer)
    url = f"/ho-so/can-bo/tiep-nhan/{world.version.procedure.code}/"
    response = client.post(
        url,
        {
            "channel": "counter",
            "name": "Lê Văn Cường",
            "id_number": "123",
            "f-muc_dich": "Đi học",
            f"c{world.component.pk}": pdf_upload(),
        },
    )
    assert response.status_code == 400
    assert "Số CCCD (12 số) hoặc mã số thuế không hợp lệ." in html(response)
    assert Dossier.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "channel": "post",
                "name": "Lê Văn Cường",
                "id_number": "044090000999",
                "phone": "0905000111",
                "f-muc_dich": "Đi học",
                f"c{world.component.pk}": pdf_upload(),
            },
        )
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/ho-so/can-bo/ho-so/{dossier.code}/"
    assert dossier.channel == "post" and dossier.applicant is None and dossier.applicant_name == "Lê Văn Cường"
    assert dossier.status == "processing"
    assert DossierSlip.objects.filter(dossier=dossier, kind="receipt").exists()


def test_queue_filters_search_and_paging(client, world, django_assert_max_num_queries):
    late = processing_dossier(world, purpose="a")
    Dossier.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=2))
    new = submitted_dossier(world, applicant=world.citizen2)
    login(client, world.officer)
    page = html(client.get("/ho-so/can-bo/"))
    assert late.code in page and new.code in page
    page = html(client.get("/ho-so/can-bo/", {"due": "overdue"}))
    assert late.code in page and new.code not in page
    page = html(client.get("/ho-so/can-bo/", {"status": "submitted"}))
    assert new.code in page and late.code not in page
    page = html(client.get("/ho-so/can-bo/", {"q": "tran thi binh"}))  # folded search on the name
    assert new.code in page and late.code not in page
    page = html(client.get("/ho-so/can-bo/", {"q": late.code}))
    assert late.code in page and new.code not in page
    page = html(client.get("/ho-so/can-bo/", {"procedure": str(world.version.procedure.pk)}))
    assert late.code in page
    services.dossier_transfer(dossier=late, actor=fresh(world.specialist), to_user=fresh(world.leader))
    login(client, world.leader)
    page = html(client.get("/ho-so/can-bo/", {"assignee": "me"}))
    assert late.code in page and new.code not in page
    login(client, world.specialist)  # a colleague of the same agency, by name in the filter
    page = html(client.get("/ho-so/can-bo/"))
    assert f'<option value="{world.leader.pk}">{world.leader.display_name}</option>' in page
    assert world.other_specialist.display_name not in page  # another agency's officials are not offered
    login(client, world.officer)
    page = html(client.get("/ho-so/can-bo/", {"assignee": str(world.leader.pk)}))
    assert late.code in page and new.code not in page
    for i in range(26):
        Dossier.objects.create(
            code=f"000.00.01.H44-200101-{i + 1:04d}",
            lookup_secret="X",
            procedure_version=world.version,
            applicant_name="Hàng loạt",
            receiving_agency=world.centre,
            competent_agency=world.justice,
            status="submitted",
            submitted_at=timezone.now(),
        )
    with CaptureQueriesContext(connection) as first:
        response = client.get("/ho-so/can-bo/")
    assert "Trang 1/2" in html(response)
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert "Trang 2/2" in html(client.get("/ho-so/can-bo/", {"page": "2"}))


def test_return_to_previous_step_needs_a_reason(client, world):
    dossier = processing_dossier(world)
    services.dossier_transfer(dossier=dossier, actor=fresh(world.specialist))
    login(client, world.leader)
    response = client.post(action_url(dossier, "tra-lai"), {"note": ""})
    assert response.status_code == 400 and "Vui lòng nêu lý do trả lại." in html(response)
    assert Dossier.objects.get(pk=dossier.pk).current_step.name == "Lãnh đạo Sở phê duyệt"
    assert client.post(action_url(dossier, "tra-lai"), {"note": "Cần thẩm định lại"}).status_code == 302
    dossier.refresh_from_db()
    assert dossier.current_step.name == "Thẩm định hồ sơ"
    sheet = html(client.get(f"/ho-so/can-bo/ho-so/{dossier.code}/phieu-kiem-soat/"))
    assert "Cần thẩm định lại" in sheet


def test_consultation_asked_and_answered_by_the_other_agency(client, world):
    dossier = processing_dossier(world)
    login(client, world.specialist)
    response = client.post(action_url(dossier, "xin-y-kien"), {"agency": "", "question": ""})
    assert response.status_code == 400 and "Vui lòng chọn cơ quan." in html(response)
    response = client.post(
        action_url(dossier, "xin-y-kien"), {"agency": str(world.other.pk), "question": "Thửa đất có tranh chấp không?"}
    )
    assert response.status_code == 302
    consultation = dossier.consultations.get()
    login(client, world.other_specialist)  # the consulted agency now sees the dossier and may answer
    page = html(client.get(f"/ho-so/can-bo/ho-so/{dossier.code}/"))
    assert "Thửa đất có tranh chấp không?" in page and "Gửi ý kiến" in page
    response = client.post(action_url(dossier, "tra-loi-y-kien"), {"consultation": str(consultation.pk), "answer": ""})
    assert response.status_code == 400 and "Vui lòng nhập ý kiến trả lời." in html(response)
    response = client.post(
        action_url(dossier, "tra-loi-y-kien"), {"consultation": str(consultation.pk), "answer": "Không có tranh chấp."}
    )
    assert response.status_code == 302
    consultation.refresh_from_db()
    assert consultation.answer == "Không có tranh chấp." and consultation.answered_by == world.other_specialist


def test_stop_and_withdrawal(client, world):
    stopped = processing_dossier(world)
    login(client, world.officer)
    assert client.post(action_url(stopped, "dung"), {"reason": "x"}).status_code == 403  # the desk may not stop
    login(client, world.leader)
    assert client.post(action_url(stopped, "dung"), {"reason": "Người nộp đã mất"}).status_code == 302
    assert Dossier.objects.get(pk=stopped.pk).status == "stopped"

    withdrawn = processing_dossier(world)
    services.dossier_request_withdrawal(dossier=withdrawn, applicant=fresh(world.citizen), reason="Đổi ý")
    login(client, world.officer)
    assert "Chấp nhận rút hồ sơ" in html(client.get(f"/ho-so/can-bo/ho-so/{withdrawn.code}/"))
    assert client.post(action_url(withdrawn, "chap-nhan-rut")).status_code == 302
    assert Dossier.objects.get(pk=withdrawn.pk).status == "stopped"


def test_desk_supplements_on_behalf_of_a_counter_applicant(client, world):
    dossier = services.dossier_register_counter(
        officer=fresh(world.officer),
        procedure_version=world.version,
        applicant_info={"name": "Lê Thị Dung"},
        form_data={"muc_dich": "Đi học"},
        files={world.component.pk: [pdf_upload()]},
    )
    services.dossier_request_supplement(
        dossier=dossier, actor=fresh(world.specialist), reason="Thiếu ảnh", items=["Ảnh 4x6"]
    )
    login(client, world.officer)
    assert "Bổ sung giấy tờ" in html(client.get(f"/ho-so/can-bo/ho-so/{dossier.code}/"))
    response = client.post(action_url(dossier, "bo-sung-thay"), {"files": pdf_upload("anh.pdf")})
    assert response.status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).status == "processing"


def test_fees_link_to_the_payments_page(client, world):
    from .factories import procedure

    version = procedure(
        "1.000077.000.00.00.H44",
        "Chứng thực bản sao",
        receiving=world.centre,
        competent=world.justice,
        unit_name=world.unit.name,
        fees=True,
    )
    dossier = services.dossier_submit_online(
        applicant=fresh(world.citizen),
        procedure_version=version,
        form_data={"muc_dich": "x"},
        files={version.components.order_by("order").first().pk: [pdf_upload()]},
    )
    dossier = services.dossier_receive(dossier=dossier, officer=fresh(world.officer))
    assert dossier.status == "payment_requested"
    login(client, world.citizen)
    page = html(client.get(f"/ho-so/cua-toi/{dossier.code}/"))
    assert f"/thanh-toan/ho-so/{dossier.code}/" in page and "Yêu cầu thực hiện nghĩa vụ tài chính" in page
    login(client, world.officer)
    page = html(client.get(f"/ho-so/can-bo/ho-so/{dossier.code}/"))
    assert f"/thanh-toan/ho-so/{dossier.code}/thu-tai-quay/" in page


def test_workspace_shows_the_form_with_its_labels(client, world):
    dossier = submitted_dossier(world, purpose="Du học")
    login(client, world.officer)
    page = html(client.get(f"/ho-so/can-bo/ho-so/{dossier.code}/"))
    assert "Mục đích sử dụng" in page and "Du học" in page


def test_counter_dossier_is_linked_to_the_citizens_account(client, world):
    login(client, world.officer)
    url = f"/ho-so/can-bo/tiep-nhan/{world.version.procedure.code}/"
    response = client.post(
        url,
        {
            "channel": "counter",
            "name": "Nguyễn Văn An",
            "id_number": world.citizen.cccd,
            "link_account": "on",
            "f-muc_dich": "Đi học",
            f"c{world.component.pk}": pdf_upload(),
        },
    )
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.applicant == world.citizen and dossier.channel == "counter"
    login(client, world.citizen)
    assert dossier.code in html(client.get("/ho-so/cua-toi/"))


def test_the_appointment_shown_before_receiving_is_the_one_the_receipt_gives(client, world):
    """The desk's preview counts in the competent agency's working days, as receiving does, even when the
    one-stop centre keeps other hours (here: open on Saturday morning, closing at 16:30)."""
    from zoneinfo import ZoneInfo

    import time_machine

    from core.models import OfficeSchedule

    centre_hours = OfficeSchedule.objects.create(
        name="Trung tâm: sáng thứ Bảy", saturday_morning=True, afternoon_end=dt.time(16, 30)
    )
    world.centre.office_schedule = centre_hours
    world.centre.save(update_fields=["office_schedule"])
    friday = dt.datetime(2026, 11, 6, 16, 45, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    with time_machine.travel(friday, tick=False):
        dossier = submitted_dossier(world)
        login(client, world.officer)
        page = html(client.get(f"/ho-so/can-bo/ho-so/{dossier.code}/"))
        shown = page.split('id="appointment-preview">', 1)[1].split("<", 1)[0]
        received = services.dossier_receive(dossier=dossier, officer=fresh(world.officer))
    assert shown == timezone.localtime(received.due_at).strftime("%d/%m/%Y %H:%M")
