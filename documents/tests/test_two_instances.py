"""Two instances of the platform — two provinces, Quảng Trị (H44) and Huế (H45), each its own web server process
(runserver, ports 18002 and 18003, or free ones when taken) over its own SQLite database — exchange documents over HTTP on this machine:
a signed decision goes from H44's People's Committee to H45's Department of Justice; the statuses come back as
H45 registers (03), assigns (04) and completes (06) it, after the arrival (01); then H44 revokes it (H45 agrees,
15) and replaces another one. Every step is the platform's own services, run in each instance by
`manage.py shell -c`; delivery is the outbox's task after each commit, over the real endpoints.

The two instances share one demo certificate authority (the second's PKI folder is the first's), as two
provinces share the national root: the signature of the document checks valid on arrival.
The servers are started by the test and ended by their process id (tests/servers.py)."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import ROOT, Script, free_port, wait_for

PORTS = (18002, 18003)  # this machine's ports for the test; free ones instead when taken (parallel runs)
INBOX = "/van-ban/lien-thong/edxml/"


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def _answers(port: int) -> bool:
    return not _port_free(port)


def _postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else ""


def _postgres(sql: str) -> None:
    """Run `sql` on the server of the run's PostgreSQL database (its maintenance database `postgres`)."""
    import psycopg

    server = _postgres_url().rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(sql)


class Instance:
    def __init__(self, name: str, base: Path, port: int, database_url: str = ""):
        self.name, self.port = name, port
        self.var = base / name
        self.var.mkdir()
        self.env = {
            k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CQS_", "DJANGO_SETTINGS"))
        }
        self.env.update(
            {
                "DATABASE_URL": database_url or f"sqlite:///{self.var / 'db.sqlite3'}",
                "CQS_VAR_DIR": str(self.var),
                "CQS_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
                "PYTHONWARNINGS": "ignore",
            }
        )
        self.server: Script | None = None

    def run(self, code: str) -> dict:
        """Run `code` in this instance (Django set up); its last printed line is JSON, returned."""
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, f"{self.name}: {done.stderr[-3000:]}"
        return json.loads(done.stdout.strip().splitlines()[-1])

    def start(self) -> None:
        args = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"]
        self.server = Script(args, self.env, self.var / "server.log").start()
        wait_for(lambda: _answers(self.port), 60, f"instance {self.name} on port {self.port}")

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


SETUP_A = """
import json
from directory.choices import AccountKind, AgencyKind, Role
from directory.models import Agency, StaffPosition, User
from documents import outbox, services
ubnd = Agency.objects.create(code="000.00.00.H44", name="Ủy ban nhân dân tỉnh Quảng Trị", short_name="UBND",
                             kind=AgencyKind.PROVINCIAL_COMMITTEE)
for username, role in [("vanthu", Role.DOCUMENT_CLERK), ("chuyenvien", Role.SPECIALIST)]:
    user = User.objects.create_user(username=username, kind=AccountKind.STAFF, full_name=username)
    StaffPosition.objects.create(user=user, agency=ubnd, role=role)
peer, key = services.peer_create(actor=None, code="000.00.00.H45", name="Nền tảng tỉnh Thừa Thiên Huế")
print(json.dumps({"key": key}))
"""

SETUP_B = """
import json
from directory.choices import AccountKind, AgencyKind, Role
from directory.models import Agency, OrgUnit, StaffPosition, User
from documents import services
justice = Agency.objects.create(code="000.00.12.H45", name="Sở Tư pháp tỉnh Thừa Thiên Huế", short_name="STP",
                                kind=AgencyKind.DEPARTMENT)
unit = OrgUnit.objects.create(agency=justice, name="Phòng Hành chính tư pháp", short_name="HCTP")
for username, role, in_unit in [("vanthu", Role.DOCUMENT_CLERK, None), ("giamdoc", Role.AGENCY_LEADER, None),
                                ("truongphong", Role.UNIT_LEADER, unit)]:
    user = User.objects.create_user(username=username, kind=AccountKind.STAFF, full_name=username)
    StaffPosition.objects.create(user=user, agency=justice, role=role, unit=in_unit)
peer, key = services.peer_create(actor=None, code="000.00.00.H44", name="Nền tảng tỉnh Quảng Trị")
print(json.dumps({"key": key}))
"""

LINK = """
import json
from documents.models import Peer
from documents.outbox import peer_link_set
link = peer_link_set(actor=None, peer=Peer.objects.get(code={peer!r}), url={url!r}, send_key={key!r}, send_as={me!r})
print(json.dumps({{"link": str(link)}}))
"""

# an issued decision of H44 for H45's Department of Justice, its body signed by H44 (signing's demo PKI), sent
ISSUE_AND_SEND = """
import json
from django.core.files.uploadedfile import SimpleUploadedFile
from directory.models import Agency, User
from documents import outbox, services
from documents.models import OutgoingDocument
from signing.pdf import build_document
from signing.services import issue_pdf
ubnd = Agency.objects.get(code="000.00.00.H44")
clerk, expert = User.objects.get(username="vanthu"), User.objects.get(username="chuyenvien")
signed = issue_pdf(
    render=lambda url: build_document(agency_name=ubnd.name, title={subject!r}, paragraphs=["Nội dung."],
                                      verify_url=url, signer_title="Chủ tịch", signer_name="Nguyễn Văn A"),
    agency=ubnd, kind="result", title={subject!r}, reference="qd", actor=None,
    signer_name="Nguyễn Văn A", signer_title="Chủ tịch")
body = signed.file.read()
document = services.outgoing_create(actor=expert, agency=ubnd, document_type="decision", subject={subject!r},
                                    body=SimpleUploadedFile("qd.pdf", body))
outbox.external_recipient_add(actor=expert, document=document, code="000.00.12.H45", name="Sở Tư pháp Huế")
OutgoingDocument.objects.filter(pk=document.pk).update(status="signed")
services.outgoing_issue_number(actor=clerk, document=document)
if {send!r}:
    services.outgoing_send(actor=clerk, document=document)  # the outbox's task delivers it after the commit
document.refresh_from_db()
print(json.dumps({{"pk": document.pk, "number": document.entry.number_and_symbol}}))
"""

STATUSES_A = """
import json
from documents.models import ExchangeStatus, OutboxMessage, OutgoingDocument
rows = {{}}
for pk in {pks!r}:
    rows[str(pk)] = {{
        "status": OutgoingDocument.objects.get(pk=pk).status,
        "codes": [(s.organ_code, s.status_code) for s in ExchangeStatus.objects.filter(document_id=pk)
                  .order_by("reported_at", "id")],
    }}
waiting = list(OutboxMessage.objects.filter(sent_at__isnull=True).values_list("id", "last_error"))
print(json.dumps({{"docs": rows, "waiting": waiting}}))
"""

HANDLE_B = """
import json
from django.test import Client
from django.urls import reverse
from directory.models import OrgUnit, User
from documents import services
from documents.models import IncomingDocument, OutboxMessage
document = IncomingDocument.objects.get(number_and_symbol={number!r})
verdict = document.exchange.signature_verdict
clerk = User.objects.get(username="vanthu")
client = Client()
client.force_login(clerk)
page = client.get(reverse("documents:incoming_detail", args=[document.pk])).content.decode()
services.incoming_register(actor=clerk, document=document)
services.incoming_assign(actor=User.objects.get(username="giamdoc"), document=document,
                         lead=OrgUnit.objects.get(short_name="HCTP"), days=5)
services.assignment_complete(actor=User.objects.get(username="truongphong"), assignment=document.assignments.get())
document.refresh_from_db()
sent = list(OutboxMessage.objects.order_by("id").values_list("status_code", "attempts", "sent_at", "last_error"))
print(json.dumps({{"verdict": verdict, "status": document.status, "shown": "Chữ ký số hợp lệ" in page,
                  "outbox": [[c, a, bool(s), e] for c, a, s, e in sent]}}))
"""

REVOKE_AND_REPLACE_A = """
import json
from directory.models import User
from documents import outbox
from documents.models import OutgoingDocument
clerk = User.objects.get(username="vanthu")
outbox.outgoing_replace(actor=clerk, document=OutgoingDocument.objects.get(pk={old}),
                        replacement=OutgoingDocument.objects.get(pk={new}), reason="Thay thế do sai sót")
outbox.outgoing_revoke(actor=clerk, document=OutgoingDocument.objects.get(pk={revoked}),
                       reason="Ban hành không đúng thẩm quyền")
print(json.dumps({{"ok": True}}))
"""

CHECK_B = """
import json
from django.test import Client
from django.urls import reverse
from directory.models import User
from documents.models import IncomingDocument
revoked = IncomingDocument.objects.get(number_and_symbol={revoked!r})
old = IncomingDocument.objects.get(number_and_symbol={old!r})
new = IncomingDocument.objects.get(number_and_symbol={new!r})
client = Client()
client.force_login(User.objects.get(username="vanthu"))
page = client.get(reverse("documents:incoming_detail", args=[revoked.pk])).content.decode()
print(json.dumps({{
    "revoked": revoked.exchange.revoked_at is not None, "reason": revoked.exchange.revoke_reason,
    "replaced_by": old.exchange.replaced_by_id, "new": new.pk, "page_says_revoked": "đã bị cơ quan ban hành thu hồi" in page,
    "count": IncomingDocument.objects.count(),
}}))
"""


@pytest.fixture
def instances(tmp_path):
    port_a, port_b = PORTS if all(_port_free(p) for p in PORTS) else (free_port(), free_port())
    # on a PostgreSQL run, two PostgreSQL databases of the run's server (the second a copy of the migrated first)
    pg = _postgres_url()
    base = pg.rsplit("/", 1)[1].split("?")[0] if pg else ""
    names = [f"{base}_x{port_a}_{p}" for p in ("h44", "h45")] if pg else []
    urls = [f"{pg.rsplit('/', 1)[0]}/{n}" for n in names] or ["", ""]
    a, b = Instance("h44", tmp_path, port_a, urls[0]), Instance("h45", tmp_path, port_b, urls[1])
    (a.var / "pki").mkdir()
    (b.var / "pki").symlink_to(a.var / "pki")  # one demo root for both provinces
    for name in names:
        _postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if pg:
        _postgres(f'CREATE DATABASE "{names[0]}"')
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=a.env, capture_output=True, timeout=300
    )
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    try:
        if pg:
            _postgres(f'CREATE DATABASE "{names[1]}" TEMPLATE "{names[0]}"')  # the same empty schema
        else:
            (b.var / "db.sqlite3").write_bytes((a.var / "db.sqlite3").read_bytes())
        yield a, b
    finally:
        a.stop()
        b.stop()
        for name in names:
            _postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_two_provinces_exchange_documents_statuses_revocation_and_replacement(instances):
    a, b = instances
    key_for_b = a.run(SETUP_A)["key"]  # what H45 presents to H44
    key_for_a = b.run(SETUP_B)["key"]  # what H44 presents to H45
    a.run(LINK.format(peer="000.00.00.H45", url=f"http://127.0.0.1:{b.port}{INBOX}", key=key_for_a, me="000.00.00.H44"))
    b.run(LINK.format(peer="000.00.00.H44", url=f"http://127.0.0.1:{a.port}{INBOX}", key=key_for_b, me="000.00.00.H45"))
    a.start()
    b.start()

    first = a.run(ISSUE_AND_SEND.format(subject="Quyết định công bố thủ tục hành chính liên thông", send=True))
    handled = b.run(HANDLE_B.format(number=first["number"].removeprefix("Số: ")))
    assert handled["verdict"] == "valid" and handled["shown"], handled
    assert handled["status"] == "done"
    assert [row[0] for row in handled["outbox"]] == ["03", "04", "06"]
    assert all(row[2] for row in handled["outbox"]), handled["outbox"]  # each delivered to H44 at its first try

    second = a.run(ISSUE_AND_SEND.format(subject="Quyết định sẽ được thay thế", send=True))
    third = a.run(ISSUE_AND_SEND.format(subject="Quyết định thay thế", send=False))
    a.run(REVOKE_AND_REPLACE_A.format(old=second["pk"], new=third["pk"], revoked=first["pk"]))

    seen = a.run(STATUSES_A.format(pks=[first["pk"], second["pk"], third["pk"]]))
    assert seen["waiting"] == [], seen["waiting"]
    codes = [code for organ, code in seen["docs"][str(first["pk"])]["codes"] if organ == "000.00.12.H45"]
    assert codes == ["01", "03", "04", "06", "15"], seen
    assert seen["docs"][str(first["pk"])]["status"] == "withdrawn"
    assert seen["docs"][str(second["pk"])]["codes"] == [["000.00.12.H45", "01"]]
    assert seen["docs"][str(second["pk"])]["status"] == "withdrawn"
    assert seen["docs"][str(third["pk"])]["codes"] == [["000.00.12.H45", "01"]]

    there = b.run(
        CHECK_B.format(
            revoked=first["number"].removeprefix("Số: "),
            old=second["number"].removeprefix("Số: "),
            new=third["number"].removeprefix("Số: "),
        )
    )
    assert there["revoked"] and there["reason"] == "Ban hành không đúng thẩm quyền" and there["page_says_revoked"]
    assert there["replaced_by"] == there["new"] and there["count"] == 3

    for instance in (a, b):
        pid = instance.server.proc.pid
        instance.stop()
        assert instance.server.proc.poll() is not None, f"server {pid} still running"
