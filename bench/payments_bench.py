"""Benchmark of the payments app (short by default; nothing touches var/).

    .venv/bin/python bench/payments_bench.py          # N=100 dossiers
    .venv/bin/python bench/payments_bench.py -n 300

Measures, on a throw-away SQLite database with the demo PKI in a temporary directory:
  vietqr    – build a dossier's VietQR payload and check its CRC (pure Python), per second
  webhook   – genuine signed webhooks through payments.services.payment_handle_webhook: verify, lock,
              pay, audit, commit (the receipt task held back)
  receipt   – the held-back receipts: render (signing.pdf) + PAdES-sign + store + audit
  replay    – the same webhooks delivered again (the idempotent path: nothing changes)
  statement – a bank statement CSV of N lines matched to N dossiers (pay + audit + signed receipt per line)
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rate(label: str, count: int, seconds: float) -> None:
    print(f"{label:<10} {count:>6} in {seconds:7.2f} s  = {count / seconds:9.1f} /s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=100, help="dossiers per measurement (default 100)")
    args = parser.parse_args()
    n = args.n

    tmp = Path(tempfile.mkdtemp(prefix="cqs-payments-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["CQS_VAR_DIR"] = str(tmp)
    os.environ["CQS_MEDIA_ROOT"] = str(tmp / "media")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["CQS_DEMO_PAYMENTS"] = "1"  # the bench pays through the pretend bank
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.SIGNING_PKI_DIR = str(tmp / "pki")
    settings.SIGNING_TSA_URL = ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("migrate", verbosity=0, skip_checks=True)

    from core.tasks import enqueue_after_commit
    from payments import services, vietqr
    from payments.models import ElectronicReceipt, PaymentAttempt
    from payments.providers import get_provider
    from payments.receipts import receipt_issue
    from payments.tests.conftest import build_world, make_dossier

    started = time.perf_counter()
    for i in range(n * 20):
        payload = vietqr.build_payload(
            bank_bin="970405",
            account_number="4400201000044",
            amount=150000 + i,
            bill_number="000.00.01.H44-261123-0001",
            purpose="0000001H442611230001",
        )
        assert vietqr.crc_ok(payload)
    rate("vietqr", n * 20, time.perf_counter() - started)

    world = build_world()
    print(f"(setting up {2 * n} dossiers through dossiers.services …)")
    dossiers = [make_dossier(world) for _ in range(2 * n)]
    demo = get_provider("demo")
    deliveries = []
    for dossier in dossiers[:n]:
        attempt = services.payment_start(dossier=dossier, provider="demo", actor=world.citizen)
        deliveries.append(
            demo.build_webhook(reference=attempt.provider_reference, status="succeeded", amount=attempt.amount)
        )

    # 1) the webhook's own work (verify, lock, pay, audit, commit), receipts held back ...
    queued = []
    services.enqueue_after_commit = lambda task_obj, *a, **kw: queued.append(a)
    started = time.perf_counter()
    for body, headers in deliveries:
        assert services.payment_handle_webhook(provider="demo", headers=headers, body=body).outcome == "paid"
    rate("webhook", n, time.perf_counter() - started)
    # 2) ... then the receipts: render (signing.pdf) + PAdES sign + store + audit
    started = time.perf_counter()
    for (receipt_id,) in queued:
        receipt_issue(receipt_id=receipt_id)
    rate("receipt", n, time.perf_counter() - started)
    signed = ElectronicReceipt.objects.filter(signed=True).count()
    print(f"           receipts signed: {signed}/{n}")
    services.enqueue_after_commit = enqueue_after_commit

    started = time.perf_counter()
    for body, headers in deliveries:
        assert services.payment_handle_webhook(provider="demo", headers=headers, body=body).replayed
    rate("replay", n, time.perf_counter() - started)

    rows = ["date,amount,content,reference"]
    rows += [f"2026-11-23 09:00,150000,CK {d.code},FT{i:06d}" for i, d in enumerate(dossiers[n:])]
    data = ("\n".join(rows) + "\n").encode()
    started = time.perf_counter()
    result = services.statement_import(actor=world.officer, file_name="bench.csv", data=data)
    rate("statement", n, time.perf_counter() - started)
    assert result.paid_count == n, result.results[:3]
    assert PaymentAttempt.objects.filter(status="succeeded").count() == 2 * n


if __name__ == "__main__":
    main()
