"""Demo data for payments: fee obligations for every dossier waiting for payment, and a sample bank
statement (CSV) that pays one of them when an official imports it. Idempotent."""

from django.apps import apps
from django.conf import settings

from core import formats

from .models import ReceiptSeries
from .selectors import due_total
from .services import obligations_create


def demo_tax_code(n: int) -> str:
    """A tax code that passes the check digit, for the demo agencies only ("32" is Quảng Trị's prefix)."""
    from core.identifiers import mst_check_digit

    while True:
        first_nine = f"32{n:07d}"
        check = mst_check_digit(first_nine)
        if check is not None:
            return first_nine + str(check)
        n += 1


def load_receipt_series(stdout) -> int:
    """Each demo agency collects fees with its own receipt series and a demo tax code (Thông tư 78/2021)."""
    Agency = apps.get_model("directory", "Agency")
    made = 0
    for i, agency in enumerate(Agency.objects.exclude(kind="provincial_committee").order_by("code"), start=1):
        _series, created = ReceiptSeries.objects.get_or_create(
            agency=agency, is_active=True, defaults={"tax_code": demo_tax_code(1000 + 37 * i)}
        )
        made += created
    if made:
        stdout.write(f"payments: {made} mẫu, ký hiệu biên lai điện tử (mã số thuế mẫu) cho các cơ quan thu phí.")
    return made


def load(stdout) -> list[tuple[str, str, str]]:
    Dossier = apps.get_model("dossiers", "Dossier")
    load_receipt_series(stdout)
    waiting = list(
        Dossier.objects.filter(status="payment_requested").select_related("procedure_version").order_by("id")
    )
    for dossier in waiting:
        obligations_create(dossier=dossier, actor=None)
    payable = [d for d in waiting if due_total(d) > 0]
    if not payable:
        stdout.write("payments: chưa có hồ sơ nào đang chờ thanh toán (nạp dữ liệu mẫu của dossiers trước).")
        return []
    first = payable[0]
    amount = formats.vnd(due_total(first))
    stdout.write(
        f"payments: hồ sơ {first.code} chờ nộp {amount} – người nộp đăng nhập và mở "
        f"/thanh-toan/ho-so/{first.code}/ (cổng demo hoặc VietQR)."
    )
    if len(payable) > 1:
        second = payable[1]
        folder = settings.VAR_DIR / "demo"
        folder.mkdir(parents=True, exist_ok=True)
        sample = folder / "sao-ke-mau.csv"
        sample.write_text(
            "date,amount,content,reference\n"
            f"2026-11-23 09:30,{int(due_total(second))},CHUYEN KHOAN {second.code},FTDEMO0001\n"
            "2026-11-23 10:00,50000,UNG HO QUY KHUYEN HOC,FTDEMO0002\n",
            encoding="utf-8",
        )
        stdout.write(f"payments: sao kê mẫu {sample} – cán bộ một cửa nhập tại /thanh-toan/doi-soat/sao-ke/.")
    return []
