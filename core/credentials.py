"""API credentials for outside systems: the key's shape and the check made on every request
(core.authentication). Issuing, listing, rotating and revoking them are the directory's services
(directory/credentials.py), since a credential's account holds a post in an agency.

A credential is `cqs_<key_id>_<secret>`: `key_id` finds the row (a unique index, one query), the secret is
compared with the stored SHA-256 in constant time. An issued credential acts as a service account: an
official's account, without a password, holding one role in one agency (directory.StaffPosition), so the
platform's permission rules decide what the system sees and does, as for a person in that post. Each write
is a service: keyword-only arguments, one transaction, one audit event; only an administrator (or the server
operator, actor None, from `manage.py api_credentials`) may call them. See docs/api.md.
"""

import hashlib
import hmac
import secrets

from django.utils import timezone

from core.models import ApiCredential

PREFIX = "cqs_"
DEFAULT_DAYS = 365
MAX_DAYS = 3 * 366


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def token_for(credential: ApiCredential, secret: str) -> str:
    return f"{PREFIX}{credential.key_id}_{secret}"


def parse(token: str) -> tuple[str, str] | None:
    """(key_id, secret) of a credential's text, or None when it does not have the credential's shape."""
    if not token.startswith(PREFIX):
        return None
    key_id, sep, secret = token[len(PREFIX) :].partition("_")
    if not sep or not key_id or not secret or len(key_id) > 24:
        return None
    return key_id, secret


def check(token: str, *, now=None) -> ApiCredential | None:
    """The usable credential this text stands for (its account loaded), or None: unknown, wrong secret,
    revoked, expired, or its account disabled. One indexed query."""
    parts = parse(token)
    if parts is None:
        return None
    key_id, secret = parts
    credential = ApiCredential.objects.select_related("account").filter(key_id=key_id).first()
    if credential is None or not hmac.compare_digest(credential.secret_hash, hash_secret(secret)):
        return None
    if not credential.is_usable(now or timezone.now()) or not credential.account.is_active:
        return None
    return credential
