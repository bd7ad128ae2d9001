"""PAdES signing and validation with pyHanko (no database access here).

Signing: PAdES B-B always (ETSI.CAdES.detached, SHA-256, signing certificate v2 attribute);
B-T when ``SIGNING_TSA_URL`` names an RFC 3161 timestamp authority. Revocation information we
hold (the demo CRL) goes into the document security store in the *same* revision as the
signature, so the signature still covers the entire file.

Validation: integrity (digest and signature), coverage, which certificate signed, whether it
chains to one of our trust roots (no network fetching: only the CRLs we hold), signing time,
timestamp. The result is a plain dataclass the pages and the API turn into Vietnamese.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.utils import timezone
from pyhanko.pdf_utils import content
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import DocumentSecurityStore, async_validate_pdf_signature
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext

from . import pki, stamps
from .pdf import SIGNATURE_BOX_KEY, SIGNATURE_BOX_SIZE, parse_signature_box, vietnamese_signing_time

logger = logging.getLogger("cqs.signing")


class _NoFetchingNotice(logging.Filter):
    """We embed the revocation data we hold and never fetch (no network): pyHanko's notice is expected."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "fetching is not allowed" not in record.getMessage()


logging.getLogger("pyhanko.sign.signers.pdf_signer").addFilter(_NoFetchingNotice())

_local = threading.local()


def _run(factory):
    """Run pyHanko's coroutine `factory()` to completion from synchronous code.

    pyHanko's own sync wrappers call asyncio.run(), which fails when the calling thread already
    runs an event loop (ASGI views, Playwright's sync API in browser tests). Then we hand the work
    to a short-lived worker thread. The main thread (workers, commands, benchmarks) keeps one
    event loop for all documents; other threads (e.g. one per request) get a loop per call that is
    closed at once, so no loop outlives its thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        if threading.current_thread() is not threading.main_thread():
            return asyncio.run(factory())
        loop = getattr(_local, "loop", None)
        if loop is None or loop.is_closed():
            loop = _local.loop = asyncio.new_event_loop()
        return loop.run_until_complete(factory())
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cqs-signing") as pool:
        return pool.submit(lambda: asyncio.run(factory())).result()


FIELD_NAME = "ChuKySo"
TSA_TOKEN_ALLOWANCE = 8192  # a timestamp token with its TSA certificate chain


def bytes_to_reserve(material: pki.KeyMaterial, with_timestamp: bool) -> int:
    """Hex digits to reserve for /Contents: twice the CMS size (certificates it embeds, signed attributes,
    signature), with margin. A tight reservation matters for speed: every validator, pyHanko included,
    reads /Contents one hex digit at a time.
    """
    certs = sum(len(c.dump()) for c in {id(c): c for c in [material.certificate, *material.chain]}.values())
    size = 2 * (certs + 1536 + (TSA_TOKEN_ALLOWANCE if with_timestamp else 0))
    return (size + 511) // 512 * 512


def _layer_reader(data: bytes) -> PdfFileReader:
    """Parsed appearance layers, kept per thread (a reader is not thread-safe) for the few recent ones."""
    readers = getattr(_local, "layer_readers", None)
    if readers is None:
        readers = _local.layer_readers = {}
    key = hashlib.sha256(data).digest()
    reader = readers.get(key)
    if reader is None:
        if len(readers) >= 16:
            readers.pop(next(iter(readers)))
        reader = readers[key] = PdfFileReader(io.BytesIO(data))
    return reader


class _StackedPdfPages(content.PdfContent):
    """Appearance made of one-page PDFs (from memory) drawn on top of each other."""

    def __init__(self, layers: list[bytes], width: float, height: float):
        super().__init__(box=content.BoxConstraints(width=width, height=height))
        self.layers = layers

    def render(self) -> bytes:
        writer = self._ensure_writer
        ops = []
        for index, data in enumerate(self.layers):
            xobj = writer.import_page_as_xobject(_layer_reader(data), page_ix=0)
            name = f"/CQSLayer{index}"
            self.resources.xobject[name] = xobj
            ops.append(f"{name} Do".encode("ascii"))
        return b" ".join(ops)


class _VietnamTimePdfSigner(signers.PdfSigner):
    """PdfSigner whose signing time is the one we printed in the appearance (Vietnam time)."""

    def __init__(self, *args, signing_time: dt.datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self._signing_time = signing_time

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._signing_time
        return session


def _default_box(reader: PdfFileReader) -> tuple[int, tuple[int, int, int, int]]:
    """Bottom right of the last page (15 mm from the right edge, 20 mm from the bottom)."""
    last = reader.root["/Pages"]["/Count"] - 1
    y1, x2 = 0.0, 595.0  # A4 portrait when the page does not say
    try:
        node = reader.find_page_for_modification(last)[0].get_object()
        while node is not None and "/MediaBox" not in node:  # MediaBox may be inherited
            node = node.get("/Parent")
        if node is not None:
            _x1, y1, x2, _y2 = (float(v) for v in node["/MediaBox"])
    except (KeyError, TypeError, ValueError, PdfError):
        logger.info("no usable MediaBox on the last page; assuming A4")
    width, height = SIGNATURE_BOX_SIZE
    right, bottom = x2 - 15 * 72 / 25.4, y1 + 20 * 72 / 25.4
    return last, (round(right - width), round(bottom), round(right), round(bottom + height))


def signature_box_of(reader: PdfFileReader) -> tuple[int, tuple[int, int, int, int]] | None:
    """The box `build_document` recorded in the document information dictionary, if any."""
    try:
        info = reader.trailer["/Info"]
        value = info.get("/" + SIGNATURE_BOX_KEY)
    except (KeyError, AttributeError, PdfError):
        return None
    return parse_signature_box(str(value)) if value is not None else None


BASE_CONTEXT_SECONDS = 60


def _base_context_kwargs() -> dict:
    kwargs: dict = {
        "trust_roots": list(pki.trust_roots()),
        "other_certs": pki.intermediate_certs(),
        "crls": [],
        "allow_fetching": False,
        "revocation_mode": "soft-fail",
    }
    if pki.trust_demo_root():
        crl_bytes = pki.demo_crl_bytes()
        if crl_bytes:
            kwargs["crls"].append(asn1_crl.CertificateList.load(crl_bytes))
    return kwargs


def _base_context() -> ValidationContext:
    """Our trust roots, CA certificates and CRLs: built once a minute per thread and reused.

    Building a ValidationContext (registering certificates, parsing CRLs) costs as much as
    checking a signature, and pyHanko's contexts are meant to be reused across signatures. It is
    per thread because the context caches results without locking; it is rebuilt every minute,
    so "now", a refreshed CRL or a changed trust store are picked up.
    """
    key = (id(pki.trust_roots()), pki.trust_demo_root(), str(pki.pki_dir()))
    cached = getattr(_local, "context", None)
    now = timezone.now()
    if cached and cached[0] == key and (now - cached[1]).total_seconds() < BASE_CONTEXT_SECONDS:
        return cached[2]
    context = ValidationContext(**_base_context_kwargs())
    _local.context = (key, now, context)
    return context


def _document_context(reader: PdfFileReader) -> ValidationContext:
    """A fresh context with, in addition, the certificates and revocation data of the document's DSS."""
    kwargs = _base_context_kwargs()
    try:
        return DocumentSecurityStore.read_dss(reader).as_validation_context(kwargs)
    except NoDSSFoundError:
        return ValidationContext(**kwargs)
    except Exception as exc:  # noqa: BLE001 - a malformed DSS must not hide the signature itself
        logger.info("unreadable DSS ignored: %s", exc)
        return ValidationContext(**kwargs)


PERSON_FIELD = "ChuKyNguoiCoThamQuyen"
ORGANISATION_FIELD = "ChuKyCoQuan"


class SigningOrderError(ValueError):
    """Signatures in the wrong order (Nghị định 30/2020, Điều 15: the competent person, then the organisation)."""


def _existing_signature_fields(reader: PdfFileReader) -> list[str]:
    try:
        return [sig.field_name for sig in reader.embedded_regular_signatures]
    except Exception:  # noqa: BLE001 - an unreadable form is "no signature we can build on"
        return []


def _sign_field(
    writer: IncrementalPdfFileWriter,
    *,
    material: pki.KeyMaterial,
    field_name: str,
    page_ix: int,
    rect: tuple,
    layers: list[bytes],
    name: str,
    reason: str,
    location: str,
    signing_time: dt.datetime,
) -> bytes:
    """Add one signature field with the stacked appearance `layers` and sign it (one incremental revision)."""
    width, height = rect[2] - rect[0], rect[3] - rect[1]
    style = StaticStampStyle(background=_StackedPdfPages(layers, width, height), border_width=0, background_opacity=1)
    cert = material.certificate
    tsa_url = getattr(settings, "SIGNING_TSA_URL", "")
    if material.crls and getattr(settings, "SIGNING_EMBED_REVOCATION", True):
        # the chain and the CRLs we hold go into the DSS in the signature's own revision, so the
        # signature covers them (PAdES "revocation data in the DSS"); no path validation needed here
        DocumentSecurityStore.supply_dss_in_writer(
            writer, None, certs=[cert, *material.chain], crls=list(material.crls), embed_roots=True
        )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        name=name,
        reason=reason or None,
        location=location or None,
    )
    field_spec = fields.SigFieldSpec(sig_field_name=field_name, on_page=page_ix, box=tuple(rect))
    reserved = bytes_to_reserve(material, bool(tsa_url))

    async def sign():
        if not tsa_url:
            pdf_signer = _VietnamTimePdfSigner(
                meta, signer=material.signer, stamp_style=style, new_field_spec=field_spec, signing_time=signing_time
            )
            return await pdf_signer.async_sign_pdf(writer, bytes_reserved=reserved)
        # B-T: an RFC 3161 timestamp on the signature; the HTTP session lives and dies with this call
        import aiohttp
        from pyhanko.sign.timestamps import HTTPTimeStamper

        async with aiohttp.ClientSession() as session:
            timestamper = HTTPTimeStamper(
                tsa_url, session=session, timeout=int(getattr(settings, "SIGNING_TSA_TIMEOUT", 10))
            )
            pdf_signer = _VietnamTimePdfSigner(
                meta,
                signer=material.signer,
                timestamper=timestamper,
                stamp_style=style,
                new_field_spec=field_spec,
                signing_time=signing_time,
            )
            return await pdf_signer.async_sign_pdf(writer, bytes_reserved=reserved)

    return _run(sign).getvalue()


def _facts(material: pki.KeyMaterial, signing_time: dt.datetime) -> dict:
    cert = material.certificate
    return {
        "signed_at": signing_time,
        "pades_level": "B-T" if getattr(settings, "SIGNING_TSA_URL", "") else "B-B",
        "certificate_subject": cert.subject.human_friendly,
        "certificate_issuer": cert.issuer.human_friendly,
        "certificate_serial": format(cert.serial_number, "X"),
    }


def _box_for(writer: IncrementalPdfFileWriter, box) -> tuple[int, tuple[int, int, int, int]]:
    if box is None:
        box = signature_box_of(writer.prev)
    if box is None:
        box = _default_box(writer.prev)
    return box


def sign_pdf(
    pdf: bytes,
    *,
    material: pki.KeyMaterial,
    agency_name: str,
    signer_name: str = "",
    signer_title: str = "",
    reason: str = "",
    location: str = "",
    signing_time: dt.datetime | None = None,
    box: tuple[int, tuple[int, int, int, int]] | None = None,
) -> tuple[bytes, dict]:
    """Sign `pdf` with the organisation's key alone (slips, receipts); return (signed bytes, facts).

    PAdES B-B (B-T with a TSA). The appearance is the seal, the agency's name and the signing time:
    `signer_name` (the official printed on the slip) only names the signature dictionary's /Name.
    """
    signing_time = timezone.localtime(signing_time or timezone.now()).replace(microsecond=0)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    page_ix, rect = _box_for(writer, box)
    layers = stamps.appearance_layers(
        width=rect[2] - rect[0],
        height=rect[3] - rect[1],
        agency_name=agency_name,
        signing_time_text=vietnamese_signing_time(signing_time),
    )
    subject = material.certificate.subject.native
    signed = _sign_field(
        writer,
        material=material,
        field_name=FIELD_NAME,
        page_ix=page_ix,
        rect=rect,
        layers=layers,
        name=subject.get("common_name") or agency_name or signer_name,
        reason=reason,
        location=location,
        signing_time=signing_time,
    )
    return signed, _facts(material, signing_time)


def sign_as_person(
    pdf: bytes,
    *,
    material: pki.KeyMaterial,
    signer_name: str,
    title_lines: list[str],
    reason: str = "",
    location: str = "",
    signing_time: dt.datetime | None = None,
    box: tuple[int, tuple[int, int, int, int]] | None = None,
) -> tuple[bytes, dict]:
    """First signature: the competent person with their own certificate (Nghị định 30/2020, Điều 15).

    The field is the signer block; its appearance is the person's signature image and, under it on the
    right, "Ký bởi: <name>", the title with its prefix (KT. Giám đốc, Phó Giám đốc) and the signing time.
    Refused when the document is already signed: the person's signature comes first, and nothing but
    the organisation's signature may follow it.
    """
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    if _existing_signature_fields(writer.prev):
        raise SigningOrderError(
            "Văn bản đã có chữ ký số: người có thẩm quyền phải ký trước, chữ ký của cơ quan, tổ chức ký sau cùng."
        )
    signing_time = timezone.localtime(signing_time or timezone.now()).replace(microsecond=0)
    page_ix, rect = _box_for(writer, box)
    layers = stamps.person_layers(
        width=rect[2] - rect[0],
        height=rect[3] - rect[1],
        signer_name=signer_name,
        title_lines=title_lines,
        signing_time_text=vietnamese_signing_time(signing_time),
    )
    signed = _sign_field(
        writer,
        material=material,
        field_name=PERSON_FIELD,
        page_ix=page_ix,
        rect=rect,
        layers=layers,
        name=signer_name,
        reason=reason,
        location=location,
        signing_time=signing_time,
    )
    return signed, _facts(material, signing_time)


def person_field_box(reader: PdfFileReader) -> tuple[int, tuple[float, float, float, float]] | None:
    """(page index, rectangle) of the competent person's signature field, if the document has one."""
    for sig in reader.embedded_regular_signatures:
        if sig.field_name != PERSON_FIELD:
            continue
        widget = sig.sig_field
        rect = tuple(float(v) for v in widget["/Rect"])
        ref = getattr(widget, "container_ref", None)
        for index in range(int(reader.root["/Pages"]["/Count"])):
            page = reader.find_page_for_modification(index)[0].get_object()
            annots = page.get("/Annots")
            annots = annots.get_object() if annots is not None else []
            if any(getattr(a, "reference", a) == ref for a in annots):
                return index, rect
        return None
    return None


def sign_as_organisation(
    pdf: bytes,
    *,
    material: pki.KeyMaterial,
    agency_name: str,
    reason: str = "",
    location: str = "",
    signing_time: dt.datetime | None = None,
) -> tuple[bytes, dict]:
    """Second signature: the organisation's certificate, as an incremental update over the person's.

    Its field is the left column of the person's field (the seal over the left third of the signature
    image, the signing time under it); the person's signature stays valid (a new signature field is a
    permitted change after an approval signature). Refused when the person has not signed yet.
    """
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    fields_present = _existing_signature_fields(writer.prev)
    if PERSON_FIELD not in fields_present:
        raise SigningOrderError(
            "Chữ ký số của cơ quan, tổ chức chỉ được ký sau chữ ký số của người có thẩm quyền "
            "(Nghị định 30/2020/NĐ-CP, Điều 15)."
        )
    if ORGANISATION_FIELD in fields_present:
        raise SigningOrderError("Văn bản đã có chữ ký số của cơ quan, tổ chức.")
    signing_time = timezone.localtime(signing_time or timezone.now()).replace(microsecond=0)
    found = person_field_box(writer.prev)
    if found is None:
        raise SigningOrderError("Không tìm thấy trang có chữ ký số của người có thẩm quyền.")
    page_ix, person_rect = found
    x1, y1, x2, y2 = person_rect
    width, height = x2 - x1, y2 - y1
    column = stamps.person_layout(width, height)["column"]
    rect = (x1, y1, x1 + column, y2)
    layers = stamps.organisation_layers(
        width=width,
        height=height,
        agency_name=agency_name,
        signing_time=vietnamese_signing_time(signing_time).removeprefix("Ký ngày "),
    )
    subject = material.certificate.subject.native
    signed = _sign_field(
        writer,
        material=material,
        field_name=ORGANISATION_FIELD,
        page_ix=page_ix,
        rect=rect,
        layers=layers,
        name=subject.get("common_name") or agency_name,
        reason=reason,
        location=location,
        signing_time=signing_time,
    )
    return signed, _facts(material, signing_time)


# --------------------------------------------------------------------------- validation


@dataclass
class SignatureReport:
    field_name: str
    intact: bool  # digest matches and the cryptographic signature verifies
    entire_file: bool  # covers the whole file (or the whole revision, with only allowed updates after)
    coverage: str
    modified_after: bool  # something that is not allowed was appended after signing
    trusted: bool
    revoked: bool
    signer_common_name: str
    signer_organization: str
    agency_code: str
    issuer_common_name: str
    certificate_serial: str
    certificate_valid_from: dt.datetime | None
    certificate_valid_to: dt.datetime | None
    signing_time: dt.datetime | None
    timestamp: dt.datetime | None
    timestamp_trusted: bool | None
    signer_name: str
    reason: str
    location: str
    is_demo: bool
    pades: bool
    problem: str = ""
    signer_title: str = ""  # the title in a person's certificate
    role: str = ""  # "person" (the competent person's own certificate) or "organisation"

    @property
    def ok(self) -> bool:
        return self.intact and self.entire_file and not self.modified_after and self.trusted and not self.revoked


@dataclass
class VerificationReport:
    readable: bool
    signatures: list[SignatureReport] = field(default_factory=list)
    error: str = ""

    @property
    def signed(self) -> bool:
        return bool(self.signatures)

    @property
    def intact(self) -> bool:
        return self.signed and all(s.intact and s.entire_file and not s.modified_after for s in self.signatures)

    @property
    def trusted(self) -> bool:
        return self.signed and all(s.trusted and not s.revoked for s in self.signatures)

    @property
    def ok(self) -> bool:
        return self.readable and self.signed and all(s.ok for s in self.signatures)


def _name_parts(cert: asn1_x509.Certificate) -> dict:
    native = cert.subject.native
    ou = native.get("organizational_unit_name") or []
    if isinstance(ou, str):
        ou = [ou]
    code = native.get("organization_identifier") or next((u for u in ou if "DEMO" not in u), "")
    cn = native.get("common_name") or ""
    org = native.get("organization_name") or ""
    title = native.get("title") or ""
    return {
        "cn": cn,
        "org": org,
        "code": code if isinstance(code, str) else "",
        "is_demo": any("DEMO" in u for u in ou),
        "title": title if isinstance(title, str) else "",
        "role": signer_role(native),
    }


def signer_role(subject: dict) -> str:
    """ "organisation" for an organisation's certificate (CN = O, or an organizationIdentifier and no
    title / given name / personal id), else "person" (a named official's own certificate)."""
    cn, org = subject.get("common_name") or "", subject.get("organization_name") or ""
    personal = any(subject.get(k) for k in ("title", "given_name", "surname", "user_id", "serial_number"))
    if cn and cn == org:
        return "organisation"
    if subject.get("organization_identifier") and not personal:
        return "organisation"
    return "person"


def _string(value) -> str:
    if value is None:
        return ""
    try:
        return str(value)
    except Exception:  # noqa: BLE001
        return ""


def validate_pdf(data: bytes) -> VerificationReport:
    """Validate every signature in `data` against our trust roots. Never raises on bad input."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_regular_signatures)
    except Exception as exc:  # noqa: BLE001 - any parse failure means "not a readable PDF"
        logger.info("unreadable PDF: %s", exc)
        return VerificationReport(readable=False, error=str(exc)[:200])
    report = VerificationReport(readable=True)
    for sig in embedded:
        try:
            status = _validate_one(sig, _base_context())
            if not status.trusted and not status.revoked:
                # not chained with what we hold: try again with what the document itself carries (DSS)
                status = _validate_one(sig, _document_context(reader))
        except Exception as exc:  # noqa: BLE001 - a broken signature is a finding, not a crash
            logger.info("signature %s could not be validated: %s", sig.field_name, exc)
            report.signatures.append(_broken_signature(sig, str(exc)))
            continue
        report.signatures.append(_signature_report(sig, status))
    return report


def _validate_one(sig, context: ValidationContext):
    return _run(lambda: async_validate_pdf_signature(sig, signer_validation_context=context))


def _signature_report(sig, status) -> SignatureReport:
    cert = status.signing_cert
    parts = _name_parts(cert)
    issuer = cert.issuer.native.get("common_name") or cert.issuer.human_friendly
    coverage = status.coverage
    entire = coverage in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION)
    modified_after = coverage != SignatureCoverageLevel.ENTIRE_FILE and not (
        status.docmdp_ok
        and status.diff_result is not None
        and status.modification_level is not None
        and status.modification_level.value <= 2
    )
    ts = status.timestamp_validity
    sig_dict = sig.sig_object
    validity = cert["tbs_certificate"]["validity"]
    return SignatureReport(
        field_name=sig.field_name or "",
        intact=bool(status.intact and status.valid),
        entire_file=entire,
        coverage=coverage.name if coverage else "",
        modified_after=bool(modified_after),
        trusted=bool(status.trusted),
        revoked=bool(status.revoked),
        signer_common_name=parts["cn"],
        signer_organization=parts["org"],
        agency_code=parts["code"],
        issuer_common_name=issuer,
        certificate_serial=format(cert.serial_number, "X"),
        certificate_valid_from=validity["not_before"].native,
        certificate_valid_to=validity["not_after"].native,
        signing_time=status.signer_reported_dt or sig.self_reported_timestamp,
        timestamp=ts.timestamp if ts else None,
        timestamp_trusted=bool(ts.trusted) if ts else None,
        signer_name=_string(sig_dict.get("/Name")),
        reason=_string(sig_dict.get("/Reason")),
        location=_string(sig_dict.get("/Location")),
        is_demo=parts["is_demo"] or "DEMO" in issuer,
        pades=str(sig_dict.get("/SubFilter")) == "/ETSI.CAdES.detached",
        signer_title=parts["title"],
        role=parts["role"],
    )


def _broken_signature(sig, problem: str) -> SignatureReport:
    parts = {"cn": "", "org": "", "code": "", "is_demo": False, "title": "", "role": ""}
    serial = ""
    try:
        cert = sig.signer_cert
        parts = _name_parts(cert)
        serial = format(cert.serial_number, "X")
    except Exception:  # noqa: BLE001
        logger.debug("no readable signer certificate in %s", sig.field_name)
    return SignatureReport(
        field_name=sig.field_name or "",
        intact=False,
        entire_file=False,
        coverage="",
        modified_after=True,
        trusted=False,
        revoked=False,
        signer_common_name=parts["cn"],
        signer_organization=parts["org"],
        agency_code=parts["code"],
        issuer_common_name="",
        certificate_serial=serial,
        certificate_valid_from=None,
        certificate_valid_to=None,
        signing_time=None,
        timestamp=None,
        timestamp_trusted=None,
        signer_name="",
        reason="",
        location="",
        is_demo=parts["is_demo"],
        pades=False,
        problem=problem[:200],
        signer_title=parts["title"],
        role=parts["role"],
    )
