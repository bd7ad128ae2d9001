"""The online-form schema: schema checking, rendering and server-side validation, type by type."""

import pytest
from django.core.exceptions import ValidationError

from catalog.formschema import build_django_form, normalize_schema, schema_problems, validate, validate_schema

SCHEMA = {
    "type": "object",
    "title": "Tờ khai",
    "properties": {
        "ho_ten": {"type": "string", "title": "Họ và tên", "maxLength": 10, "description": "Ghi chữ in hoa"},
        "ngay_sinh": {"type": "string", "format": "date", "title": "Ngày sinh"},
        "email": {"type": "string", "format": "email", "title": "Thư điện tử"},
        "gioi_tinh": {"type": "string", "enum": ["Nam", "Nữ"], "title": "Giới tính"},
        "ma_buu_chinh": {"type": "string", "pattern": "^[0-9]{6}$", "title": "Mã bưu chính"},
        "cccd": {"type": "string", "x-validator": "cccd", "title": "Số CCCD"},
        "mst": {"type": "string", "x-validator": "mst", "title": "Mã số thuế"},
        "noi_dung": {"type": "string", "x-widget": "textarea", "title": "Nội dung"},
        "so_ban": {"type": "integer", "minimum": 1, "maximum": 10, "title": "Số bản"},
        "dien_tich": {"type": "number", "minimum": 0, "maximum": 1000.5, "title": "Diện tích"},
        "cam_doan": {"type": "boolean", "title": "Tôi cam đoan"},
        "nhan_qua_buu_dien": {"type": "boolean", "title": "Nhận qua bưu điện"},
    },
    "required": ["ho_ten", "ngay_sinh", "cam_doan"],
}
VALID = {"ho_ten": "NGUYỄN A", "ngay_sinh": "2026-01-05", "cam_doan": True}


def test_valid_minimal_data_returns_json_ready_values():
    cleaned, errors = validate(SCHEMA, VALID)
    assert errors == {}
    assert cleaned == {"ho_ten": "NGUYỄN A", "ngay_sinh": "2026-01-05", "cam_doan": True, "nhan_qua_buu_dien": False}


def test_valid_full_data():
    data = {
        **VALID,
        "email": "a@example.vn",
        "gioi_tinh": "Nữ",
        "ma_buu_chinh": "510000",
        "cccd": "044096000123",
        "mst": "0100109106",
        "noi_dung": "x\ny",
        "so_ban": 2,
        "dien_tich": "12.5",
    }
    cleaned, errors = validate(SCHEMA, data)
    assert errors == {}
    assert cleaned["so_ban"] == 2 and cleaned["dien_tich"] == 12.5 and cleaned["gioi_tinh"] == "Nữ"


def test_date_accepts_vietnamese_format():
    cleaned, errors = validate(SCHEMA, {**VALID, "ngay_sinh": "05/01/2026"})
    assert errors == {} and cleaned["ngay_sinh"] == "2026-01-05"


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"ho_ten": ""}, "ho_ten", "Vui lòng nhập Họ và tên"),
        ({"ho_ten": "NGUYỄN VĂN AN"}, "ho_ten", "dài tối đa 10 ký tự"),
        ({"ngay_sinh": "31/02/2026"}, "ngay_sinh", "không phải ngày hợp lệ"),
        ({"email": "khong-phai-email"}, "email", "không phải địa chỉ thư điện tử"),
        ({"gioi_tinh": "Khác"}, "gioi_tinh", "không nằm trong danh sách"),
        ({"ma_buu_chinh": "51000"}, "ma_buu_chinh", "không đúng định dạng"),
        ({"cccd": "12345"}, "cccd", "12 chữ số"),
        ({"cccd": "003096000123"}, "cccd", "không phải mã tỉnh nơi đăng ký khai sinh"),
        ({"cccd": "044896000123"}, "cccd", "(2396) nằm ở tương lai"),
        ({"mst": "0100109107"}, "mst", "chữ số kiểm tra"),
        ({"so_ban": 0}, "so_ban", "lớn hơn hoặc bằng 1"),
        ({"so_ban": 11}, "so_ban", "nhỏ hơn hoặc bằng 10"),
        ({"so_ban": "2.5"}, "so_ban", "phải là số nguyên"),
        ({"dien_tich": "abc"}, "dien_tich", "phải là một số"),
        ({"dien_tich": 2000}, "dien_tich", "nhỏ hơn hoặc bằng 1000.5"),
        ({"cam_doan": False}, "cam_doan", "cần đánh dấu ô"),
        ({"ho_ten": True}, "ho_ten", "phải là chuỗi ký tự"),
        ({"so_ban": [1]}, "so_ban", "phải là số nguyên"),
        ({"cam_doan": "maybe"}, "cam_doan", "true hoặc false"),
    ],
)
def test_each_error_is_reported_in_vietnamese(changes, field, fragment):
    cleaned, errors = validate(SCHEMA, {**VALID, **changes})
    assert cleaned == {}
    assert list(errors) == [field]
    assert fragment in errors[field][0]


def test_missing_required_fields_all_reported():
    _cleaned, errors = validate(SCHEMA, {})
    assert set(errors) == {"ho_ten", "ngay_sinh", "cam_doan"}


def test_unknown_keys_ignored_and_non_object_rejected():
    cleaned, errors = validate(SCHEMA, {**VALID, "hacker": "x"})
    assert errors == {} and "hacker" not in cleaned
    _c, errors = validate(SCHEMA, ["x"])
    assert "__all__" in errors


def test_querydict_data_from_a_page():
    from django.http import QueryDict

    qd = QueryDict(mutable=True)
    qd.update({"ho_ten": "A", "ngay_sinh": "2026-01-05", "cam_doan": "on"})
    cleaned, errors = validate(SCHEMA, qd)
    assert errors == {} and cleaned["cam_doan"] is True


def test_rendered_form_is_accessible():
    form = build_django_form(SCHEMA, {"ho_ten": "", "ngay_sinh": "2026-01-05", "cam_doan": True})
    assert not form.is_valid()
    html = str(form)
    assert '<label for="id_ho_ten">Họ và tên' in html
    assert 'title="bắt buộc"' in html
    assert 'aria-describedby="id_ho_ten_helptext id_ho_ten_error"' in html
    assert 'id="id_ho_ten_helptext"' in html and 'id="id_ho_ten_error"' in html
    assert 'aria-invalid="true"' in html
    assert 'type="date"' in html and "<textarea" in html and "<select" in html
    assert 'name="ho_ten" maxlength="10" required' in html


def test_order_follows_x_order():
    schema = normalize_schema(
        {"type": "object", "properties": {"b": {"type": "string", "title": "B"}, "a": {"type": "string", "title": "A"}}}
    )
    assert schema["x-order"] == ["b", "a"]
    reordered = {**schema, "properties": dict(reversed(list(schema["properties"].items())))}
    assert list(build_django_form(reordered).fields) == ["b", "a"]


def test_empty_schema_means_no_form():
    assert schema_problems({}) == []
    cleaned, errors = validate({}, {"x": 1})
    assert cleaned == {} and errors == {}


@pytest.mark.parametrize(
    ("schema", "fragment"),
    [
        ([], "đối tượng JSON Schema"),
        ({"type": "array", "properties": {"a": {"type": "string", "title": "A"}}}, '"type": "object"'),
        ({"type": "object", "properties": {}}, "ít nhất một trường"),
        ({"type": "object", "properties": {"A-b": {"type": "string", "title": "A"}}}, "tên trường"),
        ({"type": "object", "properties": {"a": {"type": "array", "title": "A"}}}, "không được hỗ trợ"),
        ({"type": "object", "properties": {"a": {"type": "string"}}}, '"title"'),
        ({"type": "object", "properties": {"a": {"type": "string", "title": "A", "format": "uri"}}}, "định dạng"),
        ({"type": "object", "properties": {"a": {"type": "string", "title": "A", "enum": []}}}, '"enum"'),
        ({"type": "object", "properties": {"a": {"type": "string", "title": "A", "pattern": "("}}}, '"pattern"'),
        ({"type": "object", "properties": {"a": {"type": "string", "title": "A", "maxLength": -1}}}, '"maxLength"'),
        ({"type": "object", "properties": {"a": {"type": "string", "title": "A", "x-widget": "rich"}}}, "x-widget"),
        (
            {"type": "object", "properties": {"a": {"type": "string", "title": "A", "x-validator": "iban"}}},
            "x-validator",
        ),
        ({"type": "object", "properties": {"a": {"type": "integer", "title": "A", "minimum": 1.5}}}, "số nguyên"),
        (
            {"type": "object", "properties": {"a": {"type": "number", "title": "A", "minimum": 5, "maximum": 1}}},
            '"minimum" lớn hơn',
        ),
        ({"type": "object", "properties": {"a": {"type": "boolean", "title": "A", "maxLength": 3}}}, "khóa không"),
        ({"type": "object", "properties": {"a": {"type": "string", "title": "A"}}, "required": ["b"]}, '"b"'),
        ({"type": "object", "properties": {"a": {"type": "string", "title": "A"}}, "x-order": ["a", "b"]}, "x-order"),
        ({"type": "object", "properties": {"a": {"type": "string", "title": "A"}}, "oneOf": []}, "oneOf"),
    ],
)
def test_invalid_schemas_are_explained(schema, fragment):
    problems = schema_problems(schema)
    assert problems and any(fragment in p for p in problems), problems
    with pytest.raises(ValidationError):
        validate_schema(schema)
    with pytest.raises(ValidationError):
        build_django_form(schema)


def test_valid_schema_passes():
    validate_schema(SCHEMA)


def test_prefixed_form_reads_plain_dicts_and_querydicts():
    from django.http import QueryDict

    form = build_django_form(SCHEMA, VALID, prefix="f")
    assert form.is_valid(), form.errors
    assert form.json_data()["ho_ten"] == "NGUYỄN A"
    qd = QueryDict(mutable=True)
    qd.update({"f-ho_ten": "A", "f-ngay_sinh": "2026-01-05", "f-cam_doan": "on"})
    form = build_django_form(SCHEMA, qd, prefix="f")
    assert form.is_valid(), form.errors
    assert 'name="f-ho_ten"' in str(form)
    form = build_django_form(SCHEMA, {**VALID, "so_ban": True}, prefix="f")
    assert not form.is_valid() and "phải là số nguyên" in form.errors["so_ban"][0]
