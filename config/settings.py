"""Settings for chinhquyenso.

Everything a province changes at install time comes from environment variables, so the same
code runs embedded (SQLite, files, in-process tasks) and in production (PostgreSQL, Redis,
object storage). Defaults are the embedded ones: `make run` works on a bare machine.
"""

import hashlib
import hmac
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from core import speedups

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CQS_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("CQS_DEBUG", False)
SECRET_KEY = os.environ.get("CQS_SECRET_KEY") or "insecure-demo-key-change-me-in-production-0123456789"
ALLOWED_HOSTS = [h for h in os.environ.get("CQS_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CQS_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# The pretend payment providers (a demo bank page and a demo VietQR account) exist only when asked for:
# `make run` and the tests turn them on; a production server without PAYMENT_PROVIDERS takes fees at the desk.
DEMO_PAYMENTS = env_bool("CQS_DEMO_PAYMENTS", False)
# The public address of the platform, used in QR codes and links in e-mails and PDFs. Unset, it is the
# development server's address on this machine, on the port `make run` serves (PORT, 8000 by default).
PUBLIC_BASE_URL = (
    os.environ.get("CQS_PUBLIC_BASE_URL") or f"http://127.0.0.1:{os.environ.get('PORT') or '8000'}"
).rstrip("/")

# The province this installation serves (code from the `vietnam-provinces` package).
PROVINCE_CODE = int(os.environ.get("CQS_PROVINCE_CODE", "44"))

INSTALLED_APPS = [
    "core.admin_apps.PlatformAdminConfig",  # django.contrib.admin with the platform's login (core.admin_site)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_rq",
    "core",
    "directory",
    "catalog",
    "dossiers",
    "payments",
    "signing",
    "feedback",
    "notifications",
    "documents",
    "insights",
    "portal",  # the site shell, above every other app (docs/conventions.md)
]

MIDDLEWARE = [
    "core.client_address.ClientAddressMiddleware",  # first: every later reader sees the client's address
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.StaffIdleTimeoutMiddleware",  # after the messages: it tells the official why
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "core.middleware.RequestContextMiddleware",
    "core.middleware.BadInputMiddleware",  # NUL / non-UTF-8 query strings and form data: 400 before any view
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.platform",
            ],
            # Vietnamese formats (dates, money, yes/no) in every template: core/formats.py
            "builtins": ["core.templatetags.vn_format"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CQS_DB_CONN_MAX_AGE", "60")),
    )
}
# The speed-ups (core/speedups, docs/speedups.md): all on unless CQS_SPEEDUPS says otherwise.
SPEEDUPS = speedups.ACTIVE
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and speedups.on("db_backend"):
    DATABASES["default"]["ENGINE"] = "core.speedups.db_backend"  # Django's, with prepared statements
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("CQS_SQLITE_TEST_NAME") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "directory.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"

# Login throttling (django-axes): lock an account+address after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("CQS_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/lockout.html"
AXES_ENABLED = env_bool("CQS_AXES_ENABLED", True)
# Password spraying (one address trying many accounts, which the per-account lockout above never sees):
# at most this many failed logins per client address and window, then 429 until the window ends.
LOGIN_FAILURE_RATE = os.environ.get("CQS_LOGIN_FAILURE_RATE", "30/h")
# An official's session ends after this many minutes without a request (citizens keep Django's default).
STAFF_IDLE_MINUTES = int(os.environ.get("CQS_STAFF_IDLE_MINUTES", "30"))
# Reverse proxies whose X-Forwarded-For is believed (core/client_address.py): addresses or networks.
TRUSTED_PROXIES = [p.strip() for p in os.environ.get("CQS_TRUSTED_PROXIES", "").split(",") if p.strip()]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request until collectstatic fills it
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("CQS_MEDIA_ROOT", VAR_DIR / "media"))
# The only folders of MEDIA_ROOT that /media/ serves, each with the function of the app that owns its files
# and says who may read one (core/media.py). Everything else there (dossier files, results, receipts, signed
# documents, the originals of feedback photos) is read only through the apps' checked download views.
MEDIA_PUBLIC_FOLDERS = {
    "catalog/templates/": "catalog.views.template_file_access",
    "feedback/public/": "feedback.views.photo_file_access",
    "feedback/thumbs/": "feedback.views.photo_file_access",
}
# Behind nginx: the internal location aliased to MEDIA_ROOT (README). Set, a checked download is answered
# with X-Accel-Redirect and nginx sends the bytes; empty, the application streams them.
MEDIA_ACCEL_PREFIX = os.environ.get("CQS_MEDIA_ACCEL_PREFIX", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["CQS_REDIS_URL"]}
        if os.environ.get("CQS_REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Background tasks: one API (django-tasks, the backport of Django's task framework).
# Embedded: tasks run in-process right after the transaction commits. Production: RQ on Redis.
TASKS = {
    "default": (
        {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}
        if os.environ.get("CQS_TASK_BACKEND") == "rq"
        else {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    )
}


def rq_queue(url: str) -> dict:
    """A queue of django-rq over one connection pool per process. Given a URL, django-rq makes a new Redis
    client, and so a new connection (with its handshake), for every job it queues: 2.6 ms of the web
    process's CPU per queued job. Given a pool in REDIS_CLIENT_KWARGS, the client it makes takes a pooled
    connection (its host and port are then only read by django-rq's admin pages)."""
    import redis

    pool = redis.ConnectionPool.from_url(url)  # connects only when first used; safe across fork
    kwargs = pool.connection_kwargs
    return {
        "HOST": kwargs.get("host", "127.0.0.1"),
        "PORT": kwargs.get("port", 6379),
        "DB": kwargs.get("db", 0),
        "REDIS_CLIENT_KWARGS": {"connection_pool": pool},
    }


RQ_QUEUES = {"default": rq_queue(os.environ.get("CQS_REDIS_URL", "redis://127.0.0.1:6379/0"))}
# The worker of scripts/worker.sh: quits when a restarted Redis has forgotten it, and is started again.
RQ = {"WORKER_CLASS": "core.rq_worker.Worker"}

EMAIL_BACKEND = os.environ.get("CQS_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("CQS_DEFAULT_FROM_EMAIL", "no-reply@dichvucong.example.vn")

# Secure headers. HTTPS-only flags are switched on by the deployment (CQS_HTTPS=1).
HTTPS = env_bool("CQS_HTTPS", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
# A supervisor or load balancer probes /healthz on the server's own address, without the proxy's headers.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob: {tiles}; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)

# Audit events are appended to this many hash chains (core/audit.py): more chains, less queueing of
# concurrent writes on a chain's lock. Events already written keep their chain when this changes.
AUDIT_CHAINS = int(os.environ.get("CQS_AUDIT_CHAINS", "16"))
# The key of the audit trail's keyed hashes (HMAC-SHA256, core/audit_key.py). Production sets its own and keeps
# it outside the database (whoever holds it can forge events); changing it later makes every event recorded
# before fail `audit_verify`. Unset, it is derived from SECRET_KEY, which then must not change either.
AUDIT_HMAC_KEY = (
    os.environ.get("CQS_AUDIT_KEY")
    or hmac.new(SECRET_KEY.encode(), b"chinhquyenso audit trail key", hashlib.sha256).hexdigest()
)
# After each commit that appended audit events, one signed line per event is appended here: the chain heads
# outside the database, which `audit_verify` compares with the table (core/audit_heads.py). In production,
# storage the database's administrators cannot rewrite, shipped off the machine. `manage.py audit_checkpoint`
# writes signed checkpoints next to it (checkpoints.log). Empty: no head file.
AUDIT_HEAD_FILE = os.environ.get("CQS_AUDIT_HEAD_FILE", str(VAR_DIR / "audit" / "heads.log"))

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "core.openapi.AutoSchema",  # adds the error responses (core/openapi.py)
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "core.authentication.TokenAuthentication",
        "core.authentication.ApiCredentialAuthentication",  # outside systems' keys (core.credentials)
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON too deep, NUL, lone surrogates and NUL in form fields are refused with a 400 (core.parsers)
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "core.parsers.CheckedMultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "600/min"},
    "NUM_PROXIES": 0,  # throttles read REMOTE_ADDR, which core.client_address has already derived
}
SPECTACULAR_SETTINGS = {
    "TITLE": "chinhquyenso API",
    "DESCRIPTION": "API của nền tảng chính quyền số tỉnh / Digital-government platform API",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # a choice set shared by several serializers' fields of the same name gets one stable component name
    "ENUM_NAME_OVERRIDES": {"IncomingStatusEnum": "documents.choices.IncomingStatus"},
}

# Map tiles for the public maps. Empty: no base layer, markers and coordinates only.
MAP_TILE_URL = os.environ.get("CQS_MAP_TILE_URL", "")
CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.format(tiles=MAP_TILE_URL.split("/{")[0] if MAP_TILE_URL else "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CQS_LOG_LEVEL", "WARNING")},
}
