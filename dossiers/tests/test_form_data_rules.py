"""The online form's content is checked by one rule for the API and the web form (catalog.formschema.validate).

The API once checked the JSON with a generic JSON Schema validator: no date or e-mail format, no
`x-validator` (CCCD, tax code), unknown keys kept. Each case below is refused by the API with the field's
Vietnamese error, files nothing (no dossier, no stored file, no number taken), and the web form gives the
same verdict on the same values.
"""

import json

import pytest
from django.test import Client

from dossiers.models import Dossier, DossierCounter, DossierFile
from dossiers.tests.core_world import PASSWORD, build_world, client_for, pdf_upload

pytestmark = pytest.mark.django_db

SCHEMA = {
    "type": "object",
    "properties": {
        "ho_ten": {"type": "string", "title": "Họ và tên", "maxLength": 100, "x-prefill": False},
        "so_cccd": {"type": "string", "title": "Số CCCD", "x-validator": "cccd", "x-prefill": False},
        "ma_so_thue": {"type": "string", "title": "Mã số thuế", "x-validator": "mst", "x-prefill": False},
        "dien_thoai": {"type": "string", "title": "Số điện thoại", "pattern": "^0[0-9]{9}$", "x-prefill": False},
        "ngay_sinh": {"type": "string", "title": "Ngày sinh", "format": "date"},
        "email": {"type": "string", "title": "Thư điện tử", "format": "email", "x-prefill": False},
        "so_ban": {"type": "integer", "title": "Số bản", "minimum": 1, "maximum": 5},
        "cam_doan": {"type": "boolean", "title": "Tôi cam đoan"},
    },
    "required": ["ho_ten", "cam_doan"],
    "x-order": ["ho_ten", "so_cccd", "ma_so_thue", "dien_thoai", "ngay_sinh", "email", "so_ban", "cam_doan"],
}
VALID = {
    "ho_ten": "Nguyễn Văn An",
    "so_cccd": "044090000123",
    "ma_so_thue": "0100109106",
    "dien_thoai": "0912345678",
    "ngay_sinh": "28/02/1990",
    "email": "an@example.vn",
    "so_ban": 2,
    "cam_doan": True,
}
REFUSED = {
    "unknown key": ({"ghi_chu_an": "x"}, "ghi_chu_an", "không có trong biểu mẫu"),
    "CCCD too short": ({"so_cccd": "12345"}, "so_cccd", "12 chữ số"),
    "CCCD province": ({"so_cccd": "003096000123"}, "so_cccd", "mã tỉnh"),
    "tax code check digit": ({"ma_so_thue": "0100109107"}, "ma_so_thue", "chữ số kiểm tra"),
    "phone pattern": ({"dien_thoai": "09123"}, "dien_thoai", "không đúng định dạng"),
    "impossible date": ({"ngay_sinh": "31/02/2026"}, "ngay_sinh", "không phải ngày hợp lệ"),
    "date text": ({"ngay_sinh": "hôm qua"}, "ngay_sinh", "không phải ngày hợp lệ"),
    "e-mail": ({"email": "khong-phai-email"}, "email", "thư điện tử"),
    "declaration unticked": ({"cam_doan": False}, "cam_doan", "cần đánh dấu ô"),
    "number out of range": ({"so_ban": 9}, "so_ban", "nhỏ hơn hoặc bằng 5"),
}


@pytest.fixture
def w(settings, tmp_path):
    settings.NATIONAL_SYNC_DIR = tmp_path / "sync"
    world = build_world()
    world.version.form_schema = SCHEMA
    world.version.save(update_fields=["form_schema"])
    return world


def _api_submit(w, form_data):
    return client_for(w.citizen).post(
        "/api/dossiers/mine/",
        {
            "procedure_version": w.version.pk,
            "form_data": json.dumps(form_data, ensure_ascii=False),
            "files": [pdf_upload()],
            "file_components": [w.component.pk],
        },
        format="multipart",
    )


def _stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(("changes", "field", "fragment"), list(REFUSED.values()), ids=list(REFUSED))
def test_the_api_refuses_what_the_form_refuses(w, settings, changes, field, fragment):
    r = _api_submit(w, {**VALID, **changes})
    assert r.status_code == 400, r.content
    error = r.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]
    assert fragment in error["fields"][field][0]
    assert Dossier.objects.count() == 0 and DossierFile.objects.count() == 0
    assert not DossierCounter.objects.filter(last__gt=0).exists()  # no number taken
    assert _stored_files(settings) == []


@pytest.mark.parametrize(("changes", "field", "fragment"), list(REFUSED.values()), ids=list(REFUSED))
def test_the_web_form_gives_the_same_verdict(w, changes, field, fragment):
    if field not in SCHEMA["properties"]:
        pytest.skip("the web form has only the schema's fields: a key it does not know cannot be typed in")
    client = Client()
    assert client.login(username=w.citizen.username, password=PASSWORD)
    data = {**VALID, **changes}
    post = {f"f-{k}": ("on" if v is True else "" if v is False else v) for k, v in data.items()}
    r = client.post(
        f"/ho-so/nop/{w.version.procedure.code}/", {"step": "review", **post, f"c{w.component.pk}": pdf_upload()}
    )
    assert r.status_code == 400
    errors = r.context["schema_form"].errors
    assert list(errors) == [field]
    assert fragment in errors[field][0]
    assert Dossier.objects.count() == 0


def test_valid_data_is_filed_in_the_forms_values(w):
    r = _api_submit(w, VALID)
    assert r.status_code == 201, r.content
    # the web form's values: the date in ISO form, as the web form stores it
    assert Dossier.objects.get().form_data == {**VALID, "ngay_sinh": "1990-02-28"}


def test_a_procedure_without_a_form_takes_no_form_data(w):
    w.version.form_schema = {}
    w.version.save(update_fields=["form_schema"])
    r = _api_submit(w, {"ghi_chu": "x"})
    assert r.status_code == 400
    assert list(r.json()["error"]["fields"]) == ["ghi_chu"]
    assert _api_submit(w, {}).status_code == 201


def test_the_counter_api_uses_the_same_rule(w):
    r = client_for(w.officer).post(
        "/api/dossiers/counter/",
        {
            "procedure_version": w.version.pk,
            "applicant_name": "Trần Thị Bình",
            "form_data": json.dumps({**VALID, "so_cccd": "12345", "la": "x"}),
        },
        format="multipart",
    )
    assert r.status_code == 400, r.content
    assert set(r.json()["error"]["fields"]) == {"so_cccd", "la"}
    assert Dossier.objects.count() == 0
