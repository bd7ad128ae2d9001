"""Bank statement import: parsing, matching by dossier code and amount, idempotency, scope."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from payments import services
from payments.models import ElectronicReceipt, FeeObligation, ReconciliationFlag
from payments.statement import parse_statement

from .conftest import make_dossier


def test_parser_reads_formats_and_skips_debits():
    data = (
        "\ufeffdate;amount;description;ref\n"
        "23/11/2026 09:15;150.000;HS 000.00.01.H44-261123-0001;FT1\n"
        "2026-11-23;1,500,000 VND;khac;FT2\n"
        "2026-11-23;-20000;phi sms;FT3\n\n"
    ).encode()
    lines = parse_statement(data)
    assert [(line.amount, line.reference) for line in lines] == [
        (Decimal("150000"), "FT1"),
        (Decimal("1500000"), "FT2"),
    ]
    assert lines[0].date.hour == 9 and lines[0].content.startswith("HS ")
    assert lines[0].key == "ref:FT1"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "rỗng"),
        (b"ngay,tien\n1,2\n", "thiếu cột"),
        (b"date,amount,content\n2026-11-23,abc,x\n", "dòng 2"),
        (b"date,amount,content\n31/02/2026,100,x\n", "ngày"),
        ("date,amount,content\n2026-11-23,1,x\n".encode("utf-16"), "UTF-8"),
    ],
)
def test_parser_rejects_bad_files(data, message):
    with pytest.raises(ValidationError) as info:
        parse_statement(data)
    assert message in " ".join(info.value.messages)


def _csv(*rows) -> bytes:
    return ("date,amount,content,reference\n" + "\n".join(",".join(r) for r in rows) + "\n").encode()


@pytest.mark.django_db
def test_import_matches_flags_and_lists_unknown(world, django_capture_on_commit_callbacks):
    exact = make_dossier(world)
    short = make_dossier(world)
    compact_code = exact.code.replace(".", "").replace("-", "")
    data = _csv(
        ("2026-11-23 09:00", "150000", f"NGUYEN VAN AN CHUYEN TIEN {compact_code}", "FT001"),
        ("2026-11-23 09:05", "100000", f"HS {short.code}", "FT002"),
        ("2026-11-23 09:10", "150000", "ung ho quy vac xin", "FT003"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = services.statement_import(actor=world.officer, file_name="sk.csv", data=data)
    assert (result.line_count, result.paid_count, result.flagged_count, result.unmatched_count) == (3, 1, 1, 1)
    assert [r["outcome"] for r in result.results] == ["paid", "flagged", "unmatched"]
    assert not FeeObligation.objects.filter(dossier=exact, status="due").exists()
    exact.refresh_from_db()
    assert exact.status == "processing"
    receipt = ElectronicReceipt.objects.get(dossier=exact)
    assert receipt.attempt.provider == "vietqr" and receipt.attempt.external_id == "FT001" and receipt.pdf
    assert FeeObligation.objects.filter(dossier=short, status="due").count() == 2  # never paid on a wrong amount
    flag = ReconciliationFlag.objects.get()
    assert flag.kind == "amount_mismatch" and flag.dossier == short and flag.received_amount == Decimal("100000")

    again = services.statement_import(actor=world.officer, file_name="sk.csv", data=data)
    assert (again.paid_count, again.flagged_count, again.duplicate_count) == (0, 0, 3)
    assert ElectronicReceipt.objects.count() == 1 and ReconciliationFlag.objects.count() == 1


@pytest.mark.django_db
def test_import_uses_open_vietqr_attempt_and_respects_agency_scope(world):
    dossier = make_dossier(world)
    attempt = services.payment_start(dossier=dossier, provider="vietqr", actor=world.citizen)
    data = _csv(("2026-11-23", "150000", f"{attempt.provider_reference} chuyen khoan", "FT100"))
    outsider = services.statement_import(actor=world.other_officer, file_name="x.csv", data=data)
    assert outsider.results[0]["outcome"] == "out_of_scope"
    assert FeeObligation.objects.filter(dossier=dossier, status="due").count() == 2
    with pytest.raises(PermissionDenied):
        services.statement_import(actor=world.citizen, file_name="x.csv", data=data)
    with pytest.raises(PermissionDenied):
        services.statement_import(actor=world.specialist, file_name="x.csv", data=data)
    inside = services.statement_import(actor=world.officer, file_name="x.csv", data=data)
    assert inside.results[0]["outcome"] == "paid"
    attempt.refresh_from_db()
    assert attempt.status == "succeeded"  # the citizen's QR attempt is the one that got paid


@pytest.mark.django_db
def test_import_page_and_command(world, tmp_path, capsys):
    dossier = make_dossier(world)
    c = Client()
    c.force_login(world.officer)
    assert c.get("/thanh-toan/doi-soat/sao-ke/").status_code == 200
    bad = c.post("/thanh-toan/doi-soat/sao-ke/", {"file": SimpleUploadedFile("s.csv", b"a,b\n1,2\n")})
    assert "thiếu cột" in bad.content.decode()
    upload = SimpleUploadedFile("s.csv", _csv((dt.date.today().isoformat(), "150000", dossier.code, "FT7")))
    page = c.post("/thanh-toan/doi-soat/sao-ke/", {"file": upload})
    assert page.status_code == 200 and "1 dòng khớp" in page.content.decode()
    anonymous = Client().get("/thanh-toan/doi-soat/sao-ke/")
    assert anonymous.status_code == 302

    second = make_dossier(world)
    path = tmp_path / "sao-ke.csv"
    path.write_bytes(_csv(("2026-11-23", "150000", second.code, "FT8")))
    call_command("payments_import_statement", str(path), "--user", "motcua")
    assert "khớp: 1" in capsys.readouterr().out
    assert not FeeObligation.objects.filter(dossier=second, status="due").exists()
