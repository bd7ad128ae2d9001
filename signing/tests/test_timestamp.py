"""PAdES B-T: with SIGNING_TSA_URL set, the signature carries an RFC 3161 timestamp (local demo TSA)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from asn1crypto import tsp
from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder
from pyhanko.sign.timestamps import DummyTimeStamper

from signing import pades, pki
from signing.tests.helpers import issue, pdfsig
from signing.verification import verify_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_tsa(settings):
    key_path, cert_path = pki.ensure_demo_tsa()
    stamper = DummyTimeStamper(
        tsa_cert=load_cert_from_pemder(str(cert_path)),
        tsa_key=load_private_key_from_pemder(str(key_path), passphrase=None),
    )
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            requests.append(self.headers.get("Content-Type"))
            reply = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SIGNING_TSA_URL = f"http://127.0.0.1:{server.server_address[1]}/"
    yield requests
    server.shutdown()
    server.server_close()


def test_signature_with_timestamp_is_pades_b_t(demo_tsa, education_department, tmp_path):
    doc = issue(education_department)
    assert doc.pades_level == "B-T"
    assert demo_tsa == ["application/timestamp-query"]
    data = doc.file.read()
    (sig,) = pades.validate_pdf(data).signatures
    assert sig.intact and sig.trusted
    assert sig.timestamp is not None and sig.timestamp_trusted
    result = verify_bytes(data)
    assert result.verdict == "valid"
    texts = [f.text for f in result.signatures[0].findings]
    assert any(t.startswith("Dấu thời gian của tổ chức cấp dấu thời gian") for t in texts)
    assert "Signature Validation: Signature is Valid." in pdfsig(data, tmp_path)


def test_unreachable_tsa_fails_loudly_and_stores_nothing(settings, education_department):
    from signing.models import IssuedDocument

    settings.SIGNING_TSA_URL = "http://127.0.0.1:9/"  # discard port: connection refused
    settings.SIGNING_TSA_TIMEOUT = 2
    before = IssuedDocument.objects.count()
    with pytest.raises(Exception):  # noqa: B017 - pyHanko wraps the network error
        issue(education_department)
    assert IssuedDocument.objects.count() == before
