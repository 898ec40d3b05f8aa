"""Django settings, all taken from environment variables.

``DJANGO_ENV=production`` turns on the secure settings (HTTPS only, secure cookies, HSTS) and requires
``SECRET_KEY`` and ``ALLOWED_HOSTS``. Without it, the site runs locally on http://127.0.0.1:8000.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

# ---------------------------------------------------------------------------------------------------------------------
# Project-specific Django configuration

# The checkout: src/opencare/config/settings.py is three folders below it.
PROJECT_ROOT = Path(os.getenv("OPENCARE_ROOT", Path(__file__).resolve().parents[3])).resolve()
VAR_DIR = Path(os.getenv("OPENCARE_VAR_DIR", PROJECT_ROOT / "var")).resolve()


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no environment variable; anything but 1/true/yes/on is false."""
    value = os.getenv(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    """Read a comma-separated environment variable."""
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


ENVIRONMENT = os.getenv("DJANGO_ENV", "local")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("Set the SECRET_KEY environment variable: production needs a long random secret.")
    SECRET_KEY = "django-insecure-local-only-never-use-in-production"  # noqa: S105 (local runs only)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "Set ALLOWED_HOSTS to the site's host names, comma-separated, e.g. opencare.example.org"
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
CSRF_FAILURE_VIEW = "opencare.config.error_pages.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "govuk_frontend_django",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "opencare.frontend",
    "opencare.registry",
    "opencare.explore",
    "opencare.standard",
    "opencare.reviews",
    "opencare.accounts",
    "opencare.publishing",
    "opencare.participation",
    "opencare.task_worker",
    "opencare.harvest",
    "opencare.demo",  # for its template tag only: the sign-in page's demo accounts on local runs
]

MIDDLEWARE = [
    # First: behind trusted reverse proxies, the client's own address replaces the proxy's (OPENCARE_TRUSTED_PROXIES).
    "opencare.config.client_address.ClientAddressMiddleware",
    # Before anything reads the database: whether this request's reads may go to a read replica (when there are any).
    "opencare.config.read_replicas.ReadReplicaMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files get the Content-Security-Policy and X-Frame-Options headers too.
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # PUT, PATCH, DELETE...: 405 before any view; and every 405 says which methods an address takes.
    "opencare.config.error_pages.MethodsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Welsh under /cy/, English everywhere else: from the address only (opencare.config.language).
    "opencare.config.language.LanguageFromAddressMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A view that fails because the database cannot be reached answers 503 "try again shortly" (507 for a full disk).
    "opencare.config.availability.ServiceUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "opencare.config.urls"
WSGI_APPLICATION = "opencare.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "opencare.explore.context_processors.site",
            ],
        },
    },
]


def _database(url: str) -> dict:
    return dj_database_url.parse(url, conn_max_age=int(os.getenv("DATABASE_CONN_MAX_AGE", "60")),
                                 conn_health_checks=True)  # fmt: skip


DATABASES = {"default": _database(os.getenv("DATABASE_URL", f"sqlite:///{VAR_DIR / 'opencare.sqlite3'}"))}
# PostgreSQL streaming replicas that serve the public's reads (opencare.config.read_replicas says which requests),
# as replica1, replica2...; in tests each mirrors the default database, so nothing is created for it.
for _index, _url in enumerate(filter(None, map(str.strip, os.getenv("DATABASE_REPLICA_URLS", "").split(","))), 1):
    DATABASES[f"replica{_index}"] = {**_database(_url), "TEST": {"MIRROR": "default"}}
if len(DATABASES) > 1 and "postgresql" not in DATABASES["default"]["ENGINE"]:
    raise ImproperlyConfigured("DATABASE_REPLICA_URLS needs DATABASE_URL to be PostgreSQL: replicas are its copies.")
DATABASE_ROUTERS = ["opencare.config.read_replicas.ReadReplicaRouter"]
#: After a request that may have changed something, that browser reads from the primary for this long.
OPENCARE_REPLICA_PIN_SECONDS = int(os.getenv("OPENCARE_REPLICA_PIN_SECONDS", "10"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while an import writes; a busy timeout turns lock contention into a short wait.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    # The social-care search index includes its facet columns for PostgreSQL's index-only scans; SQLite keeps the
    # partial index without them, as intended (registry.Process.Meta), so this warning would only be noise.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sign-in: passwords hashed with Argon2; repeated failures for one account from one address lock it out for a while
# (django-axes), so passwords cannot be guessed by trying many.
# In production the demo accounts' published password signs no one in (opencare.accounts.demo_password).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "opencare.accounts.demo_password.PasswordBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "publishing:home"
AXES_FAILURE_LIMIT = int(os.getenv("OPENCARE_SIGN_IN_ATTEMPTS", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.getenv("OPENCARE_SIGN_IN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["code"]  # a wrong two-factor code is not kept in the attempt log
OTP_TOTP_ISSUER = os.getenv("OPENCARE_SERVICE_NAME", "opencare")
SESSION_COOKIE_AGE = 60 * 60 * 8  # a working day: publishers sign in again each day

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "opencare.accounts.demo_password.NotTheDemoPassword"},
]

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
TIME_ZONE = "Europe/London"
USE_I18N = True
# The Welsh catalogues: one per app (its locale/ folder), and this one for the site-wide pages in opencare.config.
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [("govuk", PROJECT_ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Documents publishers upload (specifications, method statements, review minutes). Any Django storage backend
    # can hold them, e.g. an object store on another domain; by default, a folder under var/.
    "documents": {
        "BACKEND": os.getenv("OPENCARE_DOCUMENT_STORAGE", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": {"location": str(Path(os.getenv("OPENCARE_DOCUMENT_DIR", VAR_DIR / "documents")).resolve())},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

# Uploads always go to a temporary file on the same disk as the review store, so keeping one is a rename, not a copy.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.TemporaryFileUploadHandler"]
FILE_UPLOAD_TEMP_DIR = VAR_DIR / "tmp"
# Form fields other than files (pasted JSON is the largest) may be this big.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Background work (reviews of uploads) runs in `opencare worker` or the worker `opencare serve` starts; tasks wait in
# the database, so no other server is needed.
# Two queues ("lanes"): small reviews have their own, with a worker of their own, so they never wait behind a huge one.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "small"]}}
#: A task worker not heard from for this many seconds counts as dead, and the task it was running is put back in the
#: queue (opencare.task_worker): it says it is alive six times in that time.
OPENCARE_TASK_WORKER_LOST_SECONDS = float(os.getenv("OPENCARE_TASK_WORKER_LOST_SECONDS", "60"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A 403 is one line in the log, not a traceback (error_pages.OneLineRefusals).
    "filters": {"one_line_refusals": {"()": "opencare.config.error_pages.OneLineRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["one_line_refusals"]}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
}

# Security headers that hold everywhere; HTTPS-only settings are below, for production.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Content-Security-Policy on every response (django-csp): scripts, styles, images and fonts only from the site itself,
# never inline, so text someone manages to slip into a page cannot run. GOV.UK Frontend's "js-enabled" snippet is a
# static file (opencare/js-enabled.js), not inline, so no nonce is needed and cached pages stay valid. Swagger UI at
# /api/docs is served from our own static files; its icons are data: images. A response that sets its own policy
# keeps it (uploaded documents and review downloads: "default-src 'none'; sandbox"). See docs/security.md.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # Load balancers ask each app server for /health/ directly, over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.getenv("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The preload directive does nothing until someone submits the domain to the browsers' list.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# ---------------------------------------------------------------------------------------------------------------------
# Project configuration

#: Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated): see client_address.py.
OPENCARE_TRUSTED_PROXIES = env_list("OPENCARE_TRUSTED_PROXIES", "")

#: Shown on every page: what the site is called.
OPENCARE_SERVICE_NAME = os.getenv("OPENCARE_SERVICE_NAME", "opencare")

#: Where the Data Review Tool keeps uploads, converted data and downloads, one folder per review.
OPENCARE_REVIEW_DIR = Path(os.getenv("OPENCARE_REVIEW_DIR", VAR_DIR / "reviews")).resolve()
#: Seconds each web worker keeps an API answer (0: never), keyed by the registry's version, so new data shows at once.
OPENCARE_API_CACHE_SECONDS = int(os.getenv("OPENCARE_API_CACHE_SECONDS", "60"))
#: The same for public pages (search, contract, organisation and comparison pages and their charts).
OPENCARE_PAGE_CACHE_SECONDS = int(os.getenv("OPENCARE_PAGE_CACHE_SECONDS", "60"))
#: Where the bulk downloads of the registry are written (`opencare bulk`) and served from (/downloads/).
OPENCARE_BULK_DIR = Path(os.getenv("OPENCARE_BULK_DIR", VAR_DIR / "bulk")).resolve()
#: Remake the bulk downloads in the background after every publish, import or harvest (the task worker runs it),
#: waiting this many seconds first so that a burst of changes costs one rebuild.
#: Sources the task worker harvests on a schedule (docs/harvest.md), e.g. "find-a-tender,contracts-finder"; none by
#: default. Each is harvested every OPENCARE_HARVEST_EVERY minutes, never twice at once.
OPENCARE_HARVEST = env_list("OPENCARE_HARVEST", "")
OPENCARE_HARVEST_EVERY = float(os.getenv("OPENCARE_HARVEST_EVERY", "60"))
#: How a source's operators can reach whoever runs this site (an email address or a web page), sent in the
#: User-Agent of every harvest request; the site's own address when unset.
OPENCARE_HARVEST_CONTACT = os.getenv("OPENCARE_HARVEST_CONTACT", "") or os.getenv(
    "OPENCARE_SITE_URL", "http://127.0.0.1:8000"
)
OPENCARE_BULK_REBUILD = env_bool("OPENCARE_BULK_REBUILD", default=True)
OPENCARE_BULK_REBUILD_DELAY_SECONDS = float(os.getenv("OPENCARE_BULK_REBUILD_DELAY_SECONDS", "30"))
#: The largest file the Data Review Tool accepts, in bytes (shown on the upload page).
OPENCARE_REVIEW_MAX_UPLOAD_BYTES = int(os.getenv("OPENCARE_REVIEW_MAX_UPLOAD_BYTES", str(200 * 1000 * 1000)))
#: The largest spreadsheet it accepts. Spreadsheets are read row by row in bounded memory (under 400 MB for a 100 MB
#: workbook: docs/benchmarks.md).
OPENCARE_REVIEW_MAX_SPREADSHEET_BYTES = int(os.getenv("OPENCARE_REVIEW_MAX_SPREADSHEET_BYTES", str(100 * 1000 * 1000)))
#: The most pasted JSON it accepts, in bytes.
OPENCARE_REVIEW_MAX_PASTE_BYTES = int(os.getenv("OPENCARE_REVIEW_MAX_PASTE_BYTES", str(5 * 1000 * 1000)))
#: The most the review store may hold, in bytes (uploads, what they expand to, downloads); 0: no limit but the disk.
#: A new upload that would take it past this is refused (507), after expired reviews are deleted to make room.
OPENCARE_REVIEW_STORE_MAX_BYTES = int(os.getenv("OPENCARE_REVIEW_STORE_MAX_BYTES", "0"))
#: How many days a report and its files are kept before they are deleted.
OPENCARE_REVIEW_KEEP_DAYS = int(os.getenv("OPENCARE_REVIEW_KEEP_DAYS", "7"))
#: Inputs up to this size are answered at once by POST /api/review; larger ones get a job address to poll.
OPENCARE_REVIEW_API_SYNC_BYTES = int(os.getenv("OPENCARE_REVIEW_API_SYNC_BYTES", str(2 * 1000 * 1000)))
#: Most bytes a compressed upload (gzip, zip, XLSX, ODS) may expand to, and the highest expansion ratio allowed.
OPENCARE_REVIEW_MAX_EXPANDED_BYTES = int(os.getenv("OPENCARE_REVIEW_MAX_EXPANDED_BYTES", str(2 * 1000 * 1000 * 1000)))
OPENCARE_REVIEW_MAX_EXPANSION_RATIO = int(os.getenv("OPENCARE_REVIEW_MAX_EXPANSION_RATIO", "200"))
#: The most releases (or records) one review of an upload checks, and the most seconds it may take: past either it
#: stops with a report of what it checked, saying so, so that one huge upload cannot keep a worker for ever (0: none).
OPENCARE_REVIEW_MAX_ITEMS = int(os.getenv("OPENCARE_REVIEW_MAX_ITEMS", str(2_000_000)))
OPENCARE_REVIEW_MAX_SECONDS = float(os.getenv("OPENCARE_REVIEW_MAX_SECONDS", "600"))
#: Uploads up to this size (of JSON; a tenth of it for spreadsheets) are checked in the small lane, which has a task
#: worker of its own, so they start within seconds even while a huge upload is being checked.
OPENCARE_REVIEW_SMALL_BYTES = int(os.getenv("OPENCARE_REVIEW_SMALL_BYTES", str(5 * 1000 * 1000)))
#: A review in the small lane, or one `POST /api/review` does in the request, that takes longer than this (a small file
#: of very many tiny items) gives up and is queued in the main lane instead, where it has OPENCARE_REVIEW_MAX_SECONDS.
OPENCARE_REVIEW_QUICK_SECONDS = float(os.getenv("OPENCARE_REVIEW_QUICK_SECONDS", "20"))
#: The most uploads and `POST /api/review` calls one address may make in an hour (429 past it; 0: no limit).
OPENCARE_REVIEW_PER_ADDRESS_PER_HOUR = int(os.getenv("OPENCARE_REVIEW_PER_ADDRESS_PER_HOUR", "60"))

#: The site's own address, used in the packages it publishes.
OPENCARE_SITE_URL = os.getenv("OPENCARE_SITE_URL", "http://127.0.0.1:8000")
#: The OCID prefix of processes created through opencare (OCP registers one per publisher; set your own).
OPENCARE_OCID_PREFIX = os.getenv("OPENCARE_OCID_PREFIX", "ocds-opncar")
#: The licence of what is published through opencare (shown on pages and in the packages).
OPENCARE_PUBLISHED_LICENCE_URL = os.getenv(
    "OPENCARE_PUBLISHED_LICENCE_URL", "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
)
OPENCARE_PUBLISHED_LICENCE_NAME = os.getenv("OPENCARE_PUBLISHED_LICENCE_NAME", "Open Government Licence v3.0")
#: The largest document a publisher may upload, in bytes, and the largest actuals spreadsheet.
OPENCARE_DOCUMENT_MAX_BYTES = int(os.getenv("OPENCARE_DOCUMENT_MAX_BYTES", str(20 * 1000 * 1000)))
OPENCARE_ACTUALS_MAX_BYTES = int(os.getenv("OPENCARE_ACTUALS_MAX_BYTES", str(2 * 1000 * 1000)))
#: The largest social care template a council may upload at /publish/ to publish its contracts in one go.
OPENCARE_PUBLISH_SPREADSHEET_MAX_BYTES = int(
    os.getenv("OPENCARE_PUBLISH_SPREADSHEET_MAX_BYTES", str(20 * 1000 * 1000))
)
#: Create demo publishing accounts with `opencare demo` and show their sign-in details (never in production).
OPENCARE_DEMO_ACCOUNTS = env_bool("OPENCARE_DEMO_ACCOUNTS", default=not PRODUCTION) and not PRODUCTION
#: The one password of every demo account (opencare.demo.accounts), published on local sign-in pages and in the
#: README. Here, not in the demo loader, so sign-in (opencare.accounts.demo_password) can refuse it without importing
#: the demo. Not an environment variable: it is the same published word everywhere.
OPENCARE_DEMO_PASSWORD = "invented-demo-password"  # noqa: S105 (local demo accounts only; refused in production)

#: Email: the console in local runs (messages are printed), SMTP or any backend in production.
EMAIL_BACKEND = os.getenv("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.getenv("EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "opencare <no-reply@localhost>")
#: Feedback: the fewest seconds a person takes to fill in the form (quicker is a program), and hourly limits.
OPENCARE_FEEDBACK_MIN_SECONDS = int(os.getenv("OPENCARE_FEEDBACK_MIN_SECONDS", "3"))
OPENCARE_FEEDBACK_PER_ADDRESS_PER_HOUR = int(os.getenv("OPENCARE_FEEDBACK_PER_ADDRESS_PER_HOUR", "5"))
OPENCARE_FEEDBACK_PER_CONTRACT_PER_HOUR = int(os.getenv("OPENCARE_FEEDBACK_PER_CONTRACT_PER_HOUR", "60"))
#: Who else is told at once when feedback suggests someone is at risk (comma-separated addresses).
OPENCARE_SAFEGUARDING_EMAILS = env_list("OPENCARE_SAFEGUARDING_EMAILS", "")
