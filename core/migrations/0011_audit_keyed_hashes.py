"""The audit chains' hashes become keyed (HMAC-SHA256 under settings.AUDIT_HMAC_KEY, core/audit_key.py).

Events recorded so far carry bare SHA-256 hashes. They are chained again with the key, in place, after
their bare chain has been checked: a trail that does not verify is refused (nothing changes, the
migration fails, naming the event), so re-chaining cannot launder a tampering. Keeping two kinds of
events instead (a marker per event) would let anyone with the database write new events of the old,
unkeyed kind, which is exactly the forgery the key is there to stop.

Run it with the production key already set (CQS_AUDIT_KEY): the events are chained under the key the
migration sees. On PostgreSQL the append-only trigger is switched off for the rewrite, as the table's
owner, inside the migration's transaction. Going back re-chains with bare SHA-256 (after checking the keys).
"""

import hashlib

from django.db import migrations

from core import audit_key
from core.models import canonical_text

GENESIS = "0" * 64
BATCH = 1000


def _plain(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _keyed(text: str) -> str:
    return audit_key.mac(text.encode("utf-8"))


def _rechain(apps, schema_editor, old, new) -> None:
    Event = apps.get_model("core", "AuditEvent")
    if not Event.objects.exists():
        return
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_audit_append_only")
    old_heads: dict[int, str] = {}
    new_heads: dict[int, str] = {}
    last_id = 0
    while True:
        batch = list(Event.objects.filter(id__gt=last_id).order_by("id")[:BATCH])
        if not batch:
            break
        for e in batch:
            if e.prev_hash != old_heads.get(e.chain, GENESIS) or old(canonical_text(e)) != e.hash:
                raise RuntimeError(
                    f"Nhật ký hệ thống không toàn vẹn tại sự kiện #{e.id} (chuỗi {e.chain}): không chuyển sang "
                    "băm có khóa. Hãy chạy `manage.py audit_verify` bằng phiên bản trước và xử lý trước khi di trú."
                )
            old_heads[e.chain] = e.hash
            e.prev_hash = new_heads.get(e.chain, GENESIS)
            e.hash = new(canonical_text(e))
            new_heads[e.chain] = e.hash
        Event.objects.bulk_update(batch, ["prev_hash", "hash"])
        last_id = batch[-1].id
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_audit_append_only")


def forwards(apps, schema_editor):
    _rechain(apps, schema_editor, _plain, _keyed)


def backwards(apps, schema_editor):
    _rechain(apps, schema_editor, _keyed, _plain)


class Migration(migrations.Migration):
    dependencies = [("core", "0010_api_credentials")]
    operations = [migrations.RunPython(forwards, backwards)]
