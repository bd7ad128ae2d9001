"""Benchmark: PAdES B-B signing and verification of a one-page receipt (target ≥ 50 documents/s each).

    .venv/bin/python bench/signing_bench.py            # N=200
    .venv/bin/python bench/signing_bench.py -n 50 --issue

Measures, in one process, with the demo PKI in a temporary directory (nothing touches var/):
  sign    – sign a pre-rendered one-page receipt N times (pyHanko, visible signature, demo CRL in the DSS)
  verify  – validate N signed receipts (integrity, coverage, chain to the demo root, CRL)
  two     – sign min(N, 50) receipts as a result is signed: the competent person's certificate, then the
            organisation's in a second revision; then validate both signatures of each
  render  – build the receipt with signing.pdf.build_document (for reference)
  issue   – (--issue) the full signing.services.issue_pdf path: render + sign + store + DB row + audit
            event, on a throw-away SQLite database.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=200, help="documents per measurement (default 200)")
    parser.add_argument("--issue", action="store_true", help="also measure issue_pdf end to end (DB + storage)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="cqs-signing-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["CQS_VAR_DIR"] = str(tmp)
    os.environ["CQS_MEDIA_ROOT"] = str(tmp / "media")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    import django

    django.setup()
    from django.conf import settings

    settings.SIGNING_PKI_DIR = str(tmp / "pki")
    settings.SIGNING_TSA_URL = ""

    from signing import pades, pki
    from signing.pdf import build_document

    agency = pki.AgencyIdentity(code="000.00.31.H44", name="Trung tâm Phục vụ hành chính công tỉnh Quảng Trị")

    def render(url: str) -> bytes:
        return build_document(
            agency_name=agency.name,
            title="Phiếu tiếp nhận hồ sơ và hẹn trả kết quả",
            number="Mã hồ sơ: 000.00.31.H44-261123-0007",
            paragraphs=[
                "Trung tâm Phục vụ hành chính công tỉnh Quảng Trị tiếp nhận hồ sơ của: Nguyễn Văn An.",
                "Thủ tục: Cấp giấy phép xây dựng nhà ở riêng lẻ.",
                "Thời gian giải quyết: 15 ngày làm việc. Hẹn trả kết quả: 14 giờ 00, ngày 15/12/2026.",
            ],
            table=[
                ["STT", "Thành phần hồ sơ", "Số lượng"],
                ["1", "Đơn đề nghị cấp giấy phép xây dựng", "1 bản chính"],
                ["2", "Bản vẽ thiết kế", "2 bộ"],
            ],
            verify_url=f"{settings.PUBLIC_BASE_URL}/xac-thuc/bench000000000000000/",
            signer_title="Người tiếp nhận",
            signer_name="Trần Thị Bình",
        )

    n = args.n
    material = pki.key_material_for(agency)  # generates the demo PKI (not timed)
    receipt = render("warm-up")
    pades.sign_pdf(receipt, material=material, agency_name=agency.name, signer_name="Trần Thị Bình")  # warm-up

    t0 = time.perf_counter()
    for _ in range(min(n, 50)):
        render("x")
    render_rate = min(n, 50) / (time.perf_counter() - t0)

    signed = []
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(n):
        data, _facts = pades.sign_pdf(
            receipt,
            material=material,
            agency_name=agency.name,
            signer_name="Trần Thị Bình",
            signer_title="Người tiếp nhận",
        )
        signed.append(data)
    sign_rate, sign_cpu = n / (time.perf_counter() - t0), n / (time.process_time() - c0)

    # the same, with the appearance's text layer rebuilt for every document (no two in the same second)
    from signing import stamps

    m = min(n, 50)
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(m):
        stamps._text_layer_cached.cache_clear()
        pades.sign_pdf(
            receipt,
            material=material,
            agency_name=agency.name,
            signer_name="Trần Thị Bình",
            signer_title="Người tiếp nhận",
        )
    uncached_rate, uncached_cpu = m / (time.perf_counter() - t0), m / (time.process_time() - c0)

    t0, c0 = time.perf_counter(), time.process_time()
    ok = 0
    for data in signed:
        ok += pades.validate_pdf(data).ok
    verify_rate, verify_cpu = n / (time.perf_counter() - t0), n / (time.process_time() - c0)
    if ok != n:
        raise SystemExit(f"verification failed for {n - ok} of {n} documents")

    # a result: the competent person with their own certificate, then the organisation (two revisions)
    person = pki.PersonIdentity(
        key="u1",
        username="lanhdao",
        full_name="Phạm Quốc Bảo",
        title="Phó Giám đốc",
        agency_code=agency.code,
        agency_name=agency.name,
    )
    person_material = pki.key_material_for_person(person)
    both = []
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(m):
        first, _facts = pades.sign_as_person(
            receipt,
            material=person_material,
            signer_name=person.full_name,
            title_lines=["KT. Giám đốc", "Phó Giám đốc"],
        )
        data, _facts = pades.sign_as_organisation(first, material=material, agency_name=agency.name)
        both.append(data)
    two_rate, two_cpu = m / (time.perf_counter() - t0), m / (time.process_time() - c0)
    t0, c0 = time.perf_counter(), time.process_time()
    ok = sum(pades.validate_pdf(data).ok for data in both)
    verify_two_rate, verify_two_cpu = m / (time.perf_counter() - t0), m / (time.process_time() - c0)
    if ok != m:
        raise SystemExit(f"verification failed for {m - ok} of {m} two-signature documents")

    load = os.getloadavg()[0]
    print(
        f"receipt: {len(receipt)} bytes unsigned, {len(signed[0])} bytes signed; key ECDSA P-256; N={n}; "
        f"load average {load:.1f} on {os.cpu_count()} CPUs"
    )
    print("                                     wall clock      per CPU-second of this process")
    print(f"render  (build_document):          {render_rate:7.1f} docs/s")
    print(f"sign    (PAdES B-B, visible stamp): {sign_rate:7.1f} docs/s   {sign_cpu:7.1f} docs/s   (target ≥ 50)")
    print(f"sign, text layer never cached:      {uncached_rate:7.1f} docs/s   {uncached_cpu:7.1f} docs/s")
    print(f"verify  (pyHanko, chain + CRL):     {verify_rate:7.1f} docs/s   {verify_cpu:7.1f} docs/s   (target ≥ 50)")
    print(f"sign person, then organisation:     {two_rate:7.1f} docs/s   {two_cpu:7.1f} docs/s   (N={m})")
    print(f"verify both signatures:             {verify_two_rate:7.1f} docs/s   {verify_two_cpu:7.1f} docs/s")

    if args.issue:
        issue_rate = _bench_issue(n, render)
        print(f"issue   (render+sign+store+audit):  {issue_rate:7.1f} documents/s")


def _bench_issue(n: int, render) -> float:
    from django.core.management import call_command
    from django.db import connection

    from directory.choices import AgencyKind
    from directory.models import Agency
    from signing.services import issue_pdf

    connection.ensure_connection()
    call_command("migrate", verbosity=0, skip_checks=True)
    agency, _ = Agency.objects.get_or_create(
        code="000.00.31.H44",
        defaults={"name": "Trung tâm Phục vụ hành chính công tỉnh Quảng Trị", "kind": AgencyKind.SERVICE_CENTRE},
    )
    issue_pdf(render=render, agency=agency, kind="receipt", title="warm-up", reference="", actor=None)
    t0 = time.perf_counter()
    for i in range(n):
        issue_pdf(
            render=render,
            agency=agency,
            kind="receipt",
            title="Phiếu tiếp nhận hồ sơ",
            reference=f"000.00.31.H44-261123-{i:04d}",
            actor=None,
            signer_name="Trần Thị Bình",
        )
    return n / (time.perf_counter() - t0)


if __name__ == "__main__":
    main()
