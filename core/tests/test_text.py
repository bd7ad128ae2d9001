"""Vietnamese text folding: every search compares folded text."""

import unicodedata

import pytest

from core.text import fold, fold_terms


def test_folding_finds_the_procedure_name_without_diacritics():
    assert fold("Đăng ký khai sinh") == "dang ky khai sinh"
    assert "dang ky khai sinh" in fold("Thủ tục ĐĂNG KÝ KHAI SINH có yếu tố nước ngoài")


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đ", "d"),
        ("đ", "d"),
        ("ĐỒNG HỚI", "dong hoi"),
        ("Đông Hà", "dong ha"),
        ("Nguyễn Thị Ánh Tuyết", "nguyen thi anh tuyet"),
        ("Quảng Trị", "quang tri"),
        ("  cấp   giấy\tphép\nxây dựng ", "cap giay phep xay dung"),
        ("", ""),
        (None, ""),
    ],
)
def test_fold(text, folded):
    assert fold(text) == folded


def test_combining_and_precomposed_forms_fold_alike():
    precomposed = unicodedata.normalize("NFC", "Tiếng Việt – chứng thực bản sao")
    combining = unicodedata.normalize("NFD", precomposed)
    assert precomposed != combining
    assert fold(precomposed) == fold(combining) == "tieng viet – chung thuc ban sao"
    # "đ" has no decomposition; it must still become "d" in either form.
    assert fold(unicodedata.normalize("NFD", "Đất đai")) == "dat dai"


def test_fold_terms():
    assert fold_terms("  Đăng  ký  kết hôn ") == ["dang", "ky", "ket", "hon"]
    assert fold_terms("") == []
    assert fold_terms(None) == []
