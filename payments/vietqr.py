"""VietQR: the NAPAS profile of the EMVCo merchant-presented QR code, for bank transfers (NAPAS 247).

A VietQR payload is a string of ID–length–value data objects (two-digit ID, two-digit length,
value). The objects used for a transfer to an account (service code ``QRIBFTTA``):

    00  Payload Format Indicator            "01"
    01  Point of Initiation Method          "11" static (reusable) / "12" dynamic (one payment)
    38  Merchant Account Information (NAPAS)
          00  GUID                          "A000000727"
          01  Beneficiary organisation
                00  acquirer id (bank BIN, 6 digits)
                01  account number (up to 19 characters)
          02  service code                  "QRIBFTTA" (account) / "QRIBFTTC" (card)
    53  Transaction currency (ISO 4217)     "704" (VND)
    54  Transaction amount                  whole đồng, no separators (optional)
    58  Country code                        "VN"
    62  Additional data field template
          01  bill number                   (up to 25)
          08  purpose of transaction        (up to 25) – shown by bank apps as the transfer content
    63  CRC                                 CRC-16/CCITT-FALSE over everything before it including "6304",
                                            four upper-case hexadecimal digits.

The dossier code goes into the bill number, and a compact copy of it (letters and digits only,
because many bank apps drop punctuation from the transfer content) into the purpose, so a bank
statement line can be matched to its dossier (see ``payments.statement``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

NAPAS_GUID = "A000000727"
SERVICE_ACCOUNT = "QRIBFTTA"
SERVICE_CARD = "QRIBFTTC"
CURRENCY_VND = "704"
COUNTRY_VN = "VN"
STATIC = "11"
DYNAMIC = "12"

_ALLOWED_TEXT = re.compile(r"^[0-9A-Za-z .\-/_]*$")


class VietQRError(ValueError):
    """A value that cannot be put in, or a payload that cannot be read from, a VietQR code."""


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
        table.append(crc & 0xFFFF)
    return tuple(table)


_CRC_TABLE = _crc_table()


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR."""
    crc = 0xFFFF
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ _CRC_TABLE[(crc >> 8) ^ byte]
    return crc


def tlv(tag: str, value: str) -> str:
    """One data object: ID, two-digit length, value."""
    if len(tag) != 2 or not tag.isdigit():
        raise VietQRError(f"ID không hợp lệ: {tag!r}")
    if not 1 <= len(value) <= 99:
        raise VietQRError(f"Độ dài giá trị của ID {tag} phải từ 1 đến 99 ký tự.")
    return f"{tag}{len(value):02d}{value}"


def with_crc(body: str) -> str:
    """Append the CRC data object (ID 63) to a payload that does not have one yet."""
    data = body + "6304"
    return data + f"{crc16_ccitt_false(data.encode('utf-8')):04X}"


def compact(text: str) -> str:
    """Letters and digits only, upper case: the form a dossier code survives bank processing in."""
    return re.sub(r"[^0-9A-Za-z]", "", text or "").upper()


def build_payload(
    *,
    bank_bin: str,
    account_number: str,
    amount: Decimal | int | None = None,
    bill_number: str = "",
    purpose: str = "",
    dynamic: bool = True,
    service: str = SERVICE_ACCOUNT,
) -> str:
    """The payload of a VietQR transfer code, CRC included."""
    if not re.fullmatch(r"\d{6}", bank_bin or ""):
        raise VietQRError("Mã BIN ngân hàng phải gồm 6 chữ số.")
    if not re.fullmatch(r"[0-9A-Za-z]{1,19}", account_number or ""):
        raise VietQRError("Số tài khoản chỉ gồm chữ và số, tối đa 19 ký tự.")
    for label, value in (("Số hóa đơn", bill_number), ("Nội dung chuyển khoản", purpose)):
        if len(value) > 25:
            raise VietQRError(f"{label} tối đa 25 ký tự.")
        if not _ALLOWED_TEXT.match(value):
            raise VietQRError(f"{label} chỉ được gồm chữ không dấu, chữ số và các dấu . - / _.")
    beneficiary = tlv("00", bank_bin) + tlv("01", account_number)
    merchant = tlv("00", NAPAS_GUID) + tlv("01", beneficiary) + tlv("02", service)
    parts = [tlv("00", "01"), tlv("01", DYNAMIC if dynamic else STATIC), tlv("38", merchant), tlv("53", CURRENCY_VND)]
    if amount is not None:
        value = Decimal(amount)
        if value <= 0 or value != value.to_integral_value():
            raise VietQRError("Số tiền phải là số nguyên dương (đồng).")
        parts.append(tlv("54", str(int(value))))
    parts.append(tlv("58", COUNTRY_VN))
    additional = (tlv("01", bill_number) if bill_number else "") + (tlv("08", purpose) if purpose else "")
    if additional:
        parts.append(tlv("62", additional))
    return with_crc("".join(parts))


def parse_objects(data: str) -> dict[str, str]:
    """Split a run of ID–length–value objects into a dict (later duplicates win)."""
    out: dict[str, str] = {}
    i = 0
    while i < len(data):
        if i + 4 > len(data):
            raise VietQRError("Dữ liệu QR bị cắt cụt.")
        tag, length = data[i : i + 2], data[i + 2 : i + 4]
        if not (tag.isdigit() and length.isdigit()):
            raise VietQRError(f"Đối tượng dữ liệu không hợp lệ tại vị trí {i}.")
        n = int(length)
        value = data[i + 4 : i + 4 + n]
        if len(value) != n:
            raise VietQRError("Dữ liệu QR bị cắt cụt.")
        out[tag] = value
        i += 4 + n
    return out


def crc_ok(payload: str) -> bool:
    """Whether the last data object is a CRC (6304XXXX) that matches the rest (hex case ignored)."""
    if len(payload) < 8 or payload[-8:-4] != "6304":
        return False
    return f"{crc16_ccitt_false(payload[:-4].encode('utf-8')):04X}" == payload[-4:].upper()


@dataclass(frozen=True)
class VietQRTransfer:
    bank_bin: str
    account_number: str
    service: str
    amount: Decimal | None
    currency: str
    country: str
    dynamic: bool
    bill_number: str
    purpose: str


def parse_payload(payload: str) -> VietQRTransfer:
    """Read a VietQR transfer payload; raises VietQRError if the CRC or the structure is wrong."""
    if not crc_ok(payload):
        raise VietQRError("Mã kiểm tra CRC không khớp.")
    root = parse_objects(payload)
    if root.get("00") != "01":
        raise VietQRError("Thiếu chỉ báo định dạng (ID 00 = 01).")
    merchant = parse_objects(root.get("38", ""))
    if merchant.get("00", "").upper() != NAPAS_GUID:
        raise VietQRError("Không phải mã VietQR của NAPAS (ID 38).")
    beneficiary = parse_objects(merchant.get("01", ""))
    additional = parse_objects(root.get("62", "")) if root.get("62") else {}
    return VietQRTransfer(
        bank_bin=beneficiary.get("00", ""),
        account_number=beneficiary.get("01", ""),
        service=merchant.get("02", ""),
        amount=Decimal(root["54"]) if "54" in root else None,
        currency=root.get("53", ""),
        country=root.get("58", ""),
        dynamic=root.get("01") == DYNAMIC,
        bill_number=additional.get("01", ""),
        purpose=additional.get("08", ""),
    )


def render_svg(payload: str, *, scale: int = 4, title: str = "VietQR") -> str:
    """The QR code as an inline SVG element (segno), for the payment page."""
    import segno

    qr = segno.make(payload, error="m", micro=False)
    return qr.svg_inline(scale=scale, border=2, title=title, dark="#000", light="#fff")
