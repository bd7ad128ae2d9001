"""Official documents on PostgreSQL with 1,000,000 documents (issue 19): number issuing, full-text search,
incoming registration over HTTP, edXML envelopes.

    .venv/bin/python bench/documents_bench.py [--count 1000000] [--only generate,issue,search,http,edxml]

(a) generate: 600,000 incoming and 400,000 outgoing documents (with their register lines) of 20 agencies over
    six years, written with COPY; their `search_text` is what the services write (folded number, subject,
    issuer and about forty words of body text). The trigram indexes are dropped during the load and built
    after it. Idempotent: a second run adds only what is missing.
(b) issue: 32 processes (văn thư working at once), each with its own database connection, give numbers to signed outgoing documents of
    one agency through `services.outgoing_issue_number` (the same register, so every one waits for the
    series' counter row); figure: numbers/s. Verified after: as many register lines as documents, numbers
    consecutive from the first, none twice, every document issued. Target ≥ 300 numbers/s.
(c) search: `selectors.search_incoming` and `search_outgoing` — the first page (20 rows) a văn thư or leader of
    one of the agencies gets for one to three words taken from a random document's subject or body, with
    diacritics as typed — and the two directions together (`selectors.search`, 20 rows); p50/p99 over the
    queries, and the PostgreSQL plan of one. Target p99 ≤ 50 ms.
(d) http: `POST /api/documents/incoming/` (a văn thư registers a paper document with a 30 KB PDF scan; token
    authentication) over HTTP to granian 2 workers x 2 threads as in production (bench/http_load.py), loaded
    by `wrk` for --seconds after a warm-up, clerks of 20 agencies in turn. Target ≥ 200 registrations/s.
(e) edxml: `edxml.build` then `edxml.parse` of an envelope of about 1 MB (a 750 KB PDF attachment, base64),
    in one process; figure: envelopes/s. Target ≥ 100/s.

Rows that (b) and (d) write go to agencies of their own, emptied at the start of each run, so every run
measures the same 1,000,000-row table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cqs_bench_documents"
AGENCIES = 20
WORDS = [
    "quyết",
    "định",
    "kế",
    "hoạch",
    "báo",
    "cáo",
    "tờ",
    "trình",
    "thông",
    "báo",
    "giấy",
    "mời",
    "hướng",
    "dẫn",
    "tuyển",
    "dụng",
    "đất",
    "đai",
    "xây",
    "dựng",
    "giáo",
    "dục",
    "y",
    "tế",
    "tài",
    "chính",
    "ngân",
    "sách",
    "đầu",
    "tư",
    "công",
    "chuyển",
    "đổi",
    "số",
    "cải",
    "cách",
    "hành",
    "chính",
    "thủ",
    "tục",
    "chứng",
    "thực",
    "hộ",
    "tịch",
    "khai",
    "sinh",
    "kết",
    "hôn",
    "phòng",
    "chống",
    "dịch",
    "bệnh",
    "sốt",
    "xuất",
    "huyết",
    "thiên",
    "tai",
    "bão",
    "lũ",
    "an",
    "toàn",
    "giao",
    "thông",
    "trật",
    "tự",
    "đô",
    "thị",
    "môi",
    "trường",
    "rác",
    "thải",
    "nông",
    "nghiệp",
    "thủy",
    "sản",
    "du",
    "lịch",
    "văn",
    "hóa",
    "thể",
    "thao",
    "lao",
    "động",
    "việc",
    "làm",
    "bảo",
    "hiểm",
    "xã",
    "hội",
    "người",
    "có",
    "công",
    "thanh",
    "tra",
    "khiếu",
    "nại",
    "tố",
    "cáo",
    "phòng",
    "chống",
    "tham",
    "nhũng",
    "kiểm",
    "tra",
    "giám",
    "sát",
    "quy",
    "hoạch",
    "giải",
    "phóng",
    "mặt",
    "bằng",
    "bồi",
    "thường",
    "tái",
    "định",
    "cư",
    "cấp",
    "phép",
    "doanh",
    "nghiệp",
    "thuế",
    "hải",
    "quan",
    "điện",
    "lực",
    "nước",
    "sạch",
    "viễn",
    "thông",
    "khoa",
    "học",
    "công",
    "nghệ",
    "sở",
    "hữu",
    "trí",
    "tuệ",
    "tư",
    "pháp",
    "luật",
    "sư",
    "công",
    "chứng",
    "đấu",
    "giá",
    "tài",
    "sản",
    "quốc",
    "phòng",
    "dân",
    "quân",
    "biên",
    "giới",
    "tôn",
    "giáo",
    "dân",
    "tộc",
    "trẻ",
    "em",
    "bình",
    "đẳng",
    "giới",
    "phường",
    "đồng",
    "hới",
    "quảng",
    "bình",
    "sông",
    "gianh",
    "bố",
    "trạch",
    "lệ",
    "thủy",
    "minh",
    "hóa",
    "tuyên",
    "hóa",
    "ba",
    "đồn",
    "quảng",
    "trạch",
    "nhật",
    "lệ",
    "bảo",
    "ninh",
]
SUBJECT_HEADS = ["Về việc", "V/v", "Về việc triển khai", "Về việc tăng cường", "Về việc báo cáo kết quả"]
SENDERS = [
    "Ủy ban nhân dân tỉnh",
    "Bộ Tư pháp",
    "Bộ Y tế",
    "Bộ Nội vụ",
    "Sở Tài chính",
    "Sở Xây dựng",
    "Ủy ban nhân dân phường Đồng Hới",
    "Công an tỉnh",
]
TYPES = ["official_letter", "decision", "plan", "report", "notice", "invitation", "guidance", "submission"]

WRK_REGISTER_LUA = """
local requests, n = {}, 0
function init(args)
  local ctype = args[1]
  local f = assert(io.open(args[2], "rb")); local body = f:read("*a"); f:close()
  for i = 3, #args do
    n = n + 1
    requests[n] = wrk.format("POST", "/api/documents/incoming/",
                             {["Content-Type"] = ctype, ["Authorization"] = "Token " .. args[i]}, body)
  end
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
function request()
  return requests[math.random(n)]
end
"""


def setup_django(var_dir: Path) -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://… (the benchmark is meant for PostgreSQL).")
    from pgdb import ensure_database

    ensure_database(os.environ["DATABASE_URL"])
    os.environ["DJANGO_SETTINGS_MODULE"] = "documents_settings"
    os.environ["CQS_VAR_DIR"] = str(var_dir)
    os.environ["CQS_MEDIA_ROOT"] = str(var_dir / "media")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _agency(code: str, name: str, short: str):
    from directory.choices import AgencyKind
    from directory.models import Agency

    agency, _ = Agency.objects.get_or_create(
        code=code, defaults={"name": name, "short_name": short, "kind": AgencyKind.DEPARTMENT}
    )
    return agency


def _staff(username: str, agency, role):
    from directory.choices import AccountKind
    from directory.models import StaffPosition, User

    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, kind=AccountKind.STAFF, full_name=username)
        StaffPosition.objects.create(user=user, agency=agency, role=role)
    return user


def world() -> dict:
    """The 20 agencies of the generated documents (a văn thư and a leader each), the agency of (b) and the 20
    agencies of (d) with their văn thư's API tokens (idempotent)."""
    from rest_framework.authtoken.models import Token

    from directory.choices import Role

    w: dict = {"agencies": [], "clerks": [], "leaders": [], "http_agencies": [], "tokens": []}
    for i in range(AGENCIES):
        agency = _agency(f"000.00.{40 + i:02d}.H44", f"Sở thứ {i + 1} tỉnh Quảng Bình", f"S{i + 1:02d}")
        w["agencies"].append(agency)
        w["clerks"].append(_staff(f"bench-vanthu-{i}", agency, Role.DOCUMENT_CLERK))
        w["leaders"].append(_staff(f"bench-lanhdao-{i}", agency, Role.AGENCY_LEADER))
    w["issuer"] = _agency("000.00.90.H44", "Văn phòng Ủy ban nhân dân tỉnh (cấp số)", "VPUB")
    w["issuer_clerks"] = [_staff(f"bench-capso-{i}", w["issuer"], Role.DOCUMENT_CLERK) for i in range(32)]
    w["drafter"] = _staff("bench-chuyenvien", w["issuer"], Role.SPECIALIST)
    for i in range(AGENCIES):
        agency = _agency(f"000.00.{60 + i:02d}.H44", f"Phòng thứ {i + 1} (HTTP)", f"P{i + 1:02d}")
        clerk = _staff(f"bench-http-{i}", agency, Role.DOCUMENT_CLERK)
        w["http_agencies"].append(agency)
        w["tokens"].append(Token.objects.get_or_create(user=clerk)[0].key)
    return w


def _subject(rng: random.Random) -> str:
    return f"{rng.choice(SUBJECT_HEADS)} {' '.join(rng.choices(WORDS, k=rng.randint(5, 12)))}"


def _body(rng: random.Random) -> str:
    return " ".join(rng.choices(WORDS, k=40))


def generate(w: dict, count: int) -> None:
    from django.db import connection

    from core.text import fold
    from documents.choices import ABBREVIATION
    from documents.models import IncomingDocument, NumberCounter, OutgoingDocument, Register

    agency_ids = [a.pk for a in w["agencies"]]
    want_in, want_out = count * 6 // 10, count - count * 6 // 10
    have_in = IncomingDocument.objects.filter(agency_id__in=agency_ids).count()
    have_out = OutgoingDocument.objects.filter(agency_id__in=agency_ids).count()
    print(
        f"(a) generate: {have_in:,} incoming and {have_out:,} outgoing present; "
        f"{max(0, want_in - have_in):,} and {max(0, want_out - have_out):,} to add",
        flush=True,
    )
    if have_in >= want_in and have_out >= want_out:
        return
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        for name in ("documents_in_search_trgm", "documents_out_search_trgm"):
            cur.execute(f"DROP INDEX IF EXISTS {name}")
    rng = random.Random(19 + have_in + have_out)
    start = dt.datetime(2021, 1, 4, 1, tzinfo=dt.UTC)
    span = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1) - start).total_seconds()
    registers_in = {
        a: Register.objects.get_or_create(agency_id=a, direction="incoming", series="ordinary")[0].pk
        for a in agency_ids
    }
    registers_out = {
        a: Register.objects.get_or_create(agency_id=a, direction="outgoing", series="ordinary")[0].pk
        for a in agency_ids
    }
    counters: dict[tuple[int, int], int] = {}
    for c in NumberCounter.objects.filter(register_id__in=[*registers_in.values(), *registers_out.values()]):
        counters[(c.register_id, c.year)] = c.last_number
    clerks = {a.pk: c.pk for a, c in zip(w["agencies"], w["clerks"], strict=True)}
    names = {a.pk: (a.name, a.short_name) for a in w["agencies"]}

    def moments(n: int) -> list[dt.datetime]:
        return sorted(start + dt.timedelta(seconds=rng.random() * span) for _ in range(n))

    batch = 50_000
    with connection.cursor() as cur:
        raw = cur.cursor
        todo = max(0, want_in - have_in)
        for done in range(0, todo, batch):
            n = min(batch, todo - done)
            with raw.copy(
                "COPY documents_incomingdocument (agency_id, source, sender_name, number_and_symbol, document_date, "
                "document_type, subject, urgency, confidentiality, scan, arrived_at, registration_due, status, "
                "register_id, year, incoming_number, registered_at, registered_by_id, returned_reason, external_id, "
                "search_text) FROM STDIN"
            ) as copy:
                for at in moments(n):
                    agency = rng.choice(agency_ids)
                    register = registers_in[agency]
                    key = (register, at.year)
                    counters[key] = number = counters.get(key, 0) + 1
                    sender = rng.choice(SENDERS)
                    code = f"{rng.randint(1, 999):02d}/{rng.choice(['UBND-VP', 'BTP-HTQTCT', 'SYT-NVY', 'STC-NS'])}"
                    subject = _subject(rng)
                    status = "done" if at.year < 2026 else rng.choice(["registered", "assigned", "done"])
                    search = fold(f"{code} {number:02d}/{at.year} {subject} {sender}") + " " + fold(_body(rng))
                    copy.write_row(
                        (
                            agency,
                            "paper",
                            sender,
                            code,
                            at.date(),
                            rng.choice(TYPES),
                            subject,
                            "normal",
                            "none",
                            "",
                            at,
                            at.date(),
                            status,
                            register,
                            at.year,
                            number,
                            at,
                            clerks[agency],
                            "",
                            "",
                            search,
                        )
                    )
            print(f"    incoming {have_in + done + n:>9,} rows ({(done + n) / (time.perf_counter() - t0):,.0f}/s)")
        todo = max(0, want_out - have_out)
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM documents_registerentry")
        next_entry = cur.fetchone()[0] + 1
        t1 = time.perf_counter()
        for done in range(0, todo, batch):
            n = min(batch, todo - done)
            rows = []
            for at in moments(n):
                agency = rng.choice(agency_ids)
                register = registers_out[agency]
                key = (register, at.year)
                counters[key] = number = counters.get(key, 0) + 1
                kind = rng.choice(TYPES)
                symbol = f"{ABBREVIATION.get(kind, '')}-{names[agency][1]}".lstrip("-")
                if kind == "official_letter":
                    symbol = f"{names[agency][1]}-VP"
                rows.append((next_entry, agency, register, at, number, kind, symbol, _subject(rng)))
                next_entry += 1
            with raw.copy(
                "COPY documents_registerentry (id, register_id, year, document_type, series_key, number, symbol, "
                "registered_at, registered_by_id, cancel_reason) FROM STDIN"
            ) as copy:
                for entry, agency, register, at, number, kind, symbol, _s in rows:
                    copy.write_row((entry, register, at.year, kind, "", number, symbol, at, clerks[agency], ""))
            with raw.copy(
                "COPY documents_outgoingdocument (agency_id, document_type, is_legal_normative, subject, urgency, "
                "confidentiality, status, created_by_id, created_at, entry_id, issued_at, body, sent_at, search_text) "
                "FROM STDIN"
            ) as copy:
                for entry, agency, _register, at, number, kind, symbol, subject in rows:
                    name, short = names[agency]
                    search = fold(f"Số: {number:02d}/{symbol} {subject} {name} {short}") + " " + fold(_body(rng))
                    copy.write_row(
                        (
                            agency,
                            kind,
                            False,
                            subject,
                            "normal",
                            "none",
                            "issued",
                            clerks[agency],
                            at,
                            entry,
                            at,
                            "",
                            at,
                        )
                        + (search,)
                    )
            print(f"    outgoing {have_out + done + n:>9,} rows ({(done + n) / (time.perf_counter() - t1):,.0f}/s)")
        cur.execute("SELECT setval(pg_get_serial_sequence('documents_registerentry', 'id'), %s)", [next_entry])
    for (register, year), last in counters.items():
        NumberCounter.objects.update_or_create(
            register_id=register, year=year, document_type="", defaults={"last_number": last}
        )
    print(f"    rows written in {time.perf_counter() - t0:.1f} s; building the trigram indexes", flush=True)
    t2 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '512MB'")
        cur.execute(
            "CREATE INDEX documents_in_search_trgm ON documents_incomingdocument USING gin (search_text gin_trgm_ops)"
        )
        cur.execute(
            "CREATE INDEX documents_out_search_trgm ON documents_outgoingdocument USING gin (search_text gin_trgm_ops)"
        )
        cur.execute("VACUUM (ANALYZE) documents_incomingdocument")
        cur.execute("VACUUM (ANALYZE) documents_outgoingdocument")
        cur.execute("VACUUM (ANALYZE) documents_registerentry")
    print(f"    indexes built and tables analysed in {time.perf_counter() - t2:.1f} s", flush=True)
    print(f"    generated in {time.perf_counter() - t0:.1f} s", flush=True)


def _reset_agency(agency) -> None:
    """Empty an agency of the benchmark's own writes: its documents, register lines and counters."""
    from documents.models import IncomingDocument, NumberCounter, OutgoingDocument, RegisterEntry

    OutgoingDocument.objects.filter(agency=agency).delete()
    RegisterEntry.objects.filter(register__agency=agency).delete()
    IncomingDocument.objects.filter(agency=agency).delete()
    NumberCounter.objects.filter(register__agency=agency).delete()


def _issue_worker(ids: list[int], clerk_id: int, start, errors) -> None:
    """One văn thư's process: its own database connection, numbers for its share of the documents."""
    from django.db import connection

    from directory.models import User
    from documents import services
    from documents.models import OutgoingDocument

    connection.close()
    clerk = User.objects.get(pk=clerk_id)
    start.wait()
    for pk in ids:
        try:
            services.outgoing_issue_number(actor=clerk, document=OutgoingDocument(pk=pk))
        except Exception as exc:  # noqa: BLE001 - counted and shown
            errors.put(repr(exc))
    connection.close()


def bench_issue(w: dict, count: int, threads: int) -> None:
    from django.db import connection

    from documents.choices import OutgoingStatus
    from documents.models import OutgoingDocument, RegisterEntry

    _reset_agency(w["issuer"])
    OutgoingDocument.objects.bulk_create(
        OutgoingDocument(
            agency=w["issuer"],
            document_type="decision" if i % 3 else "notice",
            subject=f"Văn bản cấp số thử {i}",
            status=OutgoingStatus.SIGNED,
            created_by=w["drafter"],
        )
        for i in range(count)
    )
    ids = list(OutgoingDocument.objects.filter(agency=w["issuer"]).values_list("pk", flat=True))
    clerk_ids = [c.pk for c in w["issuer_clerks"]]
    connection.close()  # each process opens its own
    context = multiprocessing.get_context("fork")
    start = context.Barrier(threads + 1)
    errors = context.Queue()
    pool = [
        context.Process(target=_issue_worker, args=(ids[n::threads], clerk_ids[n % len(clerk_ids)], start, errors))
        for n in range(threads)
    ]
    for p in pool:
        p.start()
    start.wait()
    t0 = time.perf_counter()
    for p in pool:
        p.join()
    elapsed = time.perf_counter() - t0
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    entries = list(RegisterEntry.objects.filter(register__agency=w["issuer"]).values_list("number", flat=True))
    numbers = sorted(entries)
    issued = OutgoingDocument.objects.filter(agency=w["issuer"], status=OutgoingStatus.ISSUED, entry__isnull=False)
    no_gap = numbers == list(range(1, len(numbers) + 1))
    print(
        f"(b) issue [{threads} processes, one register]: {len(numbers)} numbers in {elapsed:.2f} s = "
        f"{len(numbers) / elapsed:.0f} numbers/s; errors {len(failures)}{' ' + failures[0] if failures else ''}",
        flush=True,
    )
    print(
        f"    verified: {len(numbers)} register lines for {count} documents, {issued.count()} documents issued, "
        f"numbers 1..{numbers[-1] if numbers else 0} {'consecutive' if no_gap else 'NOT consecutive'}, "
        f"{len(numbers) - len(set(numbers))} duplicates",
        flush=True,
    )
    _reset_agency(w["issuer"])


def _queries(rng: random.Random, n: int) -> list[str]:
    out = []
    for _ in range(n):
        k = rng.choice([1, 2, 2, 3])
        text = _subject(rng) if rng.random() < 0.5 else _body(rng)
        words = text.split()
        i = rng.randrange(0, max(1, len(words) - k))
        out.append(" ".join(words[i : i + k]))
    return out


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def bench_search(w: dict, n: int) -> None:
    from django.db import connection

    from documents import selectors

    rng = random.Random(7)
    people = [*w["clerks"], *w["leaders"]]
    queries = _queries(rng, n)
    cases = {
        "incoming page": lambda u, q: selectors.search(u, q, direction="incoming", limit=20),
        "outgoing page": lambda u, q: selectors.search(u, q, direction="outgoing", limit=20),
        "both directions": lambda u, q: selectors.search(u, q, limit=20),
        "incoming, whole table (no recent window)": lambda u, q: list(selectors.search_incoming(u, q)[:20]),
    }
    for warm in queries[:20]:
        cases["incoming page"](people[0], warm)
    for label, run in cases.items():
        times, found = [], 0
        for i, q in enumerate(queries):
            user = people[i % len(people)]
            t0 = time.perf_counter()
            rows = run(user, q)
            times.append((time.perf_counter() - t0) * 1000)
            found += bool(rows)
        print(
            f"(c) search, {label} [{len(queries)} queries of 1-3 words, 20 rows, {len(people)} people]: "
            f"p50 {statistics.median(times):.1f} ms, p99 {pct(times, 99):.1f} ms, max {max(times):.1f} ms; "
            f"{found} queries found something",
            flush=True,
        )
    sample = "sốt xuất huyết phường đồng hới"
    plan = selectors.search_incoming(w["clerks"][0], sample)[:20].explain(analyze=True)
    print(f"    plan of '{sample}' for a văn thư (EXPLAIN ANALYZE):")
    for line in plan.splitlines():
        print(f"      {line}")
    plan = selectors.search_incoming(w["clerks"][0], "về việc")[:20].explain(analyze=True)
    print("    plan of 'về việc' (in every subject):")
    for line in plan.splitlines():
        print(f"      {line}")
    del connection


def _pdf_30k() -> bytes:
    head = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n"
    return head + b"%" + os.urandom(15 * 1024).hex().encode() + b"\n%%EOF\n"


def _multipart(fields: dict, name: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = "----cqsbench19docs"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def bench_http(w: dict, var_dir: Path, port: int, seconds: float, connections: int) -> None:
    from http_load import cpu_per_request, cpu_snapshot, find_wrk, run_wrk, start_server, stop_server, warm_up

    from documents.models import IncomingDocument

    wrk = find_wrk(install=True)
    if wrk is None:
        print("(d) http: wrk is not installed (apt-get install wrk); skipped")
        return
    for agency in w["http_agencies"]:
        _reset_agency(agency)
    body, ctype = _multipart(
        {
            "sender_name": "Ủy ban nhân dân phường Đồng Hới",
            "number_and_symbol": "15/UBND-VP",
            "document_type": "official_letter",
            "subject": "Về việc đề nghị hướng dẫn chứng thực bản sao điện tử từ bản chính",
        },
        "scan",
        "ban-quet.pdf",
        _pdf_30k(),
    )
    work = Path(tempfile.mkdtemp(prefix="cqs-wrk-docs-"))
    (work / "body").write_bytes(body)
    args = [ctype, str(work / "body"), *w["tokens"]]
    server = start_server(var_dir, port, 2, 2, settings_module="documents_settings", probe="/api/documents/incoming/")
    try:
        warm_up(wrk, port, connections, WRK_REGISTER_LUA, args)
        agencies = [a.pk for a in w["http_agencies"]]
        before = IncomingDocument.objects.filter(agency_id__in=agencies).count()
        cpu0 = cpu_snapshot(server.pid)
        r = run_wrk(wrk, port, seconds, connections, WRK_REGISTER_LUA, args)
        cpu = cpu_per_request(cpu0, cpu_snapshot(server.pid), r["requests"])
        made = IncomingDocument.objects.filter(agency_id__in=agencies).count() - before
    finally:
        stop_server(server)
        shutil.rmtree(work, ignore_errors=True)
    if not r["requests"]:
        sys.exit(f"wrk gave no figures:\n{r['raw']}")
    print(
        f"(d) http register [granian 2x2, wrk {connections} connections, {len(w['tokens'])} agencies' clerks]: "
        f"{r['rps']:.1f} requests/s, {made} documents registered; non-2xx {r['non2xx']}, socket errors "
        f"{r['errors']}; latency p50 {r['p50']:.0f} ms, p99 {r['p99']:.0f} ms{cpu}; load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    numbers_ok = True
    for agency in w["http_agencies"]:
        numbers = sorted(IncomingDocument.objects.filter(agency=agency).values_list("incoming_number", flat=True))
        numbers_ok &= numbers == list(range(1, len(numbers) + 1))
    print(f"    incoming numbers per agency {'consecutive, no duplicate' if numbers_ok else 'NOT consecutive'}")
    for agency in w["http_agencies"]:
        _reset_agency(agency)


def bench_edxml(n: int) -> None:
    from documents import edxml

    pdf = b"%PDF-1.4\n" + os.urandom(750 * 1024) + b"\n%%EOF\n"
    envelope = edxml.Envelope(
        sender=edxml.Organ(code="000.00.12.H44", name="Sở Tư pháp tỉnh Quảng Bình"),
        recipients=[edxml.Organ(code="000.00.13.H44", name="Sở Y tế tỉnh Quảng Bình")],
        document_id="000.00.12.H44,2026/12/07,15/QĐ-STP",
        code_number="15",
        code_notation="QĐ-STP",
        promulgation_date=dt.date(2026, 12, 7),
        place="Đồng Hới",
        subject="Quyết định công bố thủ tục hành chính lĩnh vực chứng thực",
        type_name="Quyết định",
        signer=edxml.Signer(full_name="Nguyễn Văn A", position="Giám đốc"),
        attachments=[edxml.Attachment(name="15-QD-STP.pdf", content_type="application/pdf", data=pdf)],
    )
    data = edxml.build(envelope)
    assert edxml.parse(data).attachments[0].data == pdf
    t0 = time.perf_counter()
    for _ in range(n):
        edxml.parse(edxml.build(envelope))
    elapsed = time.perf_counter() - t0
    print(
        f"(e) edXML build+parse of a {len(data) / 1024 / 1024:.2f} MB envelope: {n} in {elapsed:.2f} s = "
        f"{n / elapsed:.0f}/s",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--only", default="generate,issue,search,http,edxml")
    parser.add_argument("--issue-count", type=int, default=3000)
    parser.add_argument("--processes", type=int, default=32)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=18191)
    parser.add_argument("--envelopes", type=int, default=200)
    opts = parser.parse_args()
    only = set(opts.only.split(","))
    var_dir = Path(tempfile.mkdtemp(prefix="cqs-bench-documents-"))
    try:
        setup_django(var_dir)
        from pgdb import server_settings

        print(
            f"PostgreSQL {os.environ['DATABASE_URL'].rsplit('/', 1)[-1]} ({server_settings()}); "
            f"{os.cpu_count()} CPUs; load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        w = world()
        if "generate" in only:
            generate(w, opts.count)
        if "issue" in only:
            bench_issue(w, opts.issue_count, opts.processes)
        if "search" in only:
            bench_search(w, opts.queries)
        if "http" in only:
            bench_http(w, var_dir, opts.port, opts.seconds, opts.connections)
        if "edxml" in only:
            bench_edxml(opts.envelopes)
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
