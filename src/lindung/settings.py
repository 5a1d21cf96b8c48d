"""Django settings for Lindung, read from the environment.

Environment variables (all optional):

- ``DATABASE_URL``: ``sqlite:///path`` (default: ``./var/lindung.sqlite3``) or ``postgres://…``.
- ``LINDUNG_SECRET_KEY``: if absent, one is generated once and kept in ``./var/secret_key``.
- ``LINDUNG_DEBUG``: ``1``/``true`` for debug mode (default off).
- ``LINDUNG_ALLOWED_HOSTS``: comma-separated host names (default ``127.0.0.1,localhost``).
- ``LINDUNG_HTTPS``: ``1`` when served behind HTTPS (secure cookies, HSTS, redirect).
- ``LINDUNG_VAR_DIR``: where the database, secret key, uploads and exports live (default ``./var``).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ya"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent

# Files Lindung creates (SQLite database and its WAL, secret key, uploads, import staging files,
# exports, backups) are readable by the owner and its group only: 0640 files, 0750 folders.
os.umask(0o027)
VAR_DIR = Path(os.environ.get("LINDUNG_VAR_DIR", "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True, mode=0o750)


def _tighten(path: Path, mode: int) -> None:
    """Existing installations created their files 0644: take the world's read right away."""
    try:
        if path.exists() and path.stat().st_mode & 0o007:
            path.chmod(mode)
    except OSError:  # not our file (a shared folder): leave it, ``lindung check`` reports it
        pass


_tighten(VAR_DIR, 0o750)


def _secret_key() -> str:
    key = os.environ.get("LINDUNG_SECRET_KEY", "").strip()
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if path.exists():
        _tighten(path, 0o600)
        return path.read_text().strip()
    key = secrets.token_urlsafe(64)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("LINDUNG_DEBUG", False)
ALLOWED_HOSTS = env_list("LINDUNG_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("LINDUNG_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # First, so that its registration/ templates (password change) win over the admin's.
    "lindung.core",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "lindung.programmes",
    "lindung.registry",
    "lindung.coverage",
    "lindung.claims",
    "lindung.reports",
    "lindung.planning",
    "lindung.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "lindung.core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lindung.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lindung.core.middleware.NulCharacterMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "lindung.programmes.middleware.PasswordChangeRequired",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "lindung.core.middleware.BadParameterMiddleware",
]

ROOT_URLCONF = "lindung.urls"
WSGI_APPLICATION = "lindung.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lindung.core.context_processors.lindung",
                "lindung.programmes.context_processors.programme",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DEFAULT_SQLITE_URL = f"sqlite:///{VAR_DIR / 'lindung.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "").strip() or DEFAULT_SQLITE_URL, conn_max_age=0
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    for _suffix in ("", "-wal", "-shm"):
        _tighten(Path(f"{DATABASES['default']['NAME']}{_suffix}"), 0o640)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server and the task worker read while one of them writes.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    # Tests run on a file (one per test process), not on SQLite's shared in-memory database:
    # there concurrent writers fail at once with "table is locked" instead of waiting for the
    # write lock as they do in production, and the concurrency tests must see the real thing.
    DATABASES["default"].setdefault("TEST", {}).setdefault(
        "NAME", str(VAR_DIR / "test-lindung.sqlite3")
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ---------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failures (django-axes): 5 failures for a username lock it for 15 min.
AXES_FAILURE_LIMIT = int(os.environ.get("LINDUNG_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("LINDUNG_LOCKOUT_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_LOCKOUT_TEMPLATE = "core/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Lockout is per user name on purpose: Pemda offices share one public IP address, so locking by IP
# would lock out a whole office after one person's typos. (Documented exception to axes.W006.)
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Session expiry: 8 working hours, renewed on activity; closing the browser ends it.
SESSION_COOKIE_AGE = int(os.environ.get("LINDUNG_SESSION_SECONDS", str(8 * 3600)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Security (production) ----------------------------------------------------------------------
HTTPS = env_bool("LINDUNG_HTTPS", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("LINDUNG_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("LINDUNG_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("LINDUNG_HSTS_PRELOAD", False)

# Content-Security-Policy (django-csp): scripts, styles, images and fonts only from Lindung
# itself (no inline script, no inline style, no eval; htmx is configured for it in base.html),
# no plug-ins, no framing, forms post only to Lindung. Inline SVG charts need nothing more.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["lindung.formats"]

# --- Static and uploaded files ------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

# --- Caches ---------------------------------------------------------------------------------------
# ``default``: per-process memory (dashboard figures, charts). ``throttle``: the API's request
# counters, in files so that all server processes count together.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache" / "throttle"),
    },
}

# API throttling (requests per period, ``N/s``, ``N/min``, ``N/hour``): per token and per user.
LINDUNG_API_RATE_TOKEN = os.environ.get("LINDUNG_API_RATE_TOKEN", "120/min")
LINDUNG_API_RATE_USER = os.environ.get("LINDUNG_API_RATE_USER", "300/min")

# --- Access log (docs/security.md): rows older than this many days are deleted by
# `lindung accesslog prune` (run it daily from cron). Two years by default: long enough to answer a
# data subject's or the supervisor's question about who read their data, short enough not to keep
# a record of every read for ever.
LINDUNG_ACCESS_LOG_DAYS = int(os.environ.get("LINDUNG_ACCESS_LOG_DAYS", "730"))
# People whose membership ended more than this many years ago are anonymised by
# `lindung anonymise` (figures kept, identity removed). Lindung's choice, not a statutory figure:
# it outlasts the period in which a JKK/JKM claim can still be made and the usual ten-year keeping
# of financial records; a Pemda may set its own retention schedule (docs/security.md).
LINDUNG_RETENTION_YEARS = int(os.environ.get("LINDUNG_RETENTION_YEARS", "10"))
# Uploaded lists (many people in one file) are deleted this many days after their import ended
# (committed, undone, failed, or left unfinished) by the same `lindung anonymise`; the import keeps
# its counts. Undo needs the files, so an import can be undone for at most this long.
LINDUNG_IMPORT_FILE_DAYS = int(os.environ.get("LINDUNG_IMPORT_FILE_DAYS", "90"))

# --- Imports of uploaded lists (docs/registry.md, "Limits") -------------------------------------
# An upload larger than this is refused (a 1,000,000-row participant CSV is about 170 MB).
LINDUNG_UPLOAD_MAX_MB = int(os.environ.get("LINDUNG_UPLOAD_MAX_MB", "256"))
# Data rows per import.
LINDUNG_IMPORT_MAX_ROWS = int(os.environ.get("LINDUNG_IMPORT_MAX_ROWS", "1100000"))
# Spreadsheets are read and checked in a child process with this address-space limit and time.
LINDUNG_SANDBOX_MEMORY_MB = int(os.environ.get("LINDUNG_SANDBOX_MEMORY_MB", "4096"))
LINDUNG_SANDBOX_SECONDS = int(os.environ.get("LINDUNG_SANDBOX_SECONDS", "900"))

# --- Background tasks ---------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("LINDUNG_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- Logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LINDUNG_LOG_LEVEL", "WARNING")},
    # WeasyPrint warns about every SVG presentation attribute it does not style; the PDFs are
    # correct.
    "loggers": {"weasyprint": {"level": "ERROR"}, "fontTools": {"level": "ERROR"}},
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
NINJA_PAGINATION_PER_PAGE = 50
