"""The one settings module, driven by environment variables (see README, "Configuration")."""

import ipaddress
import re
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.translation import gettext_noop

from powtracker import formats as iso_formats

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
SECRET_KEY_IS_SET = bool(SECRET_KEY)
if not SECRET_KEY_IS_SET:
    # Management commands (migrate, makemigrations --check) may run without a key; serving may
    # not: with DEBUG off the WSGI/ASGI entry points refuse to start and `check --deploy` fails
    # (powtracker.checks). The development key is only ever used with DEBUG on.
    SECRET_KEY = (
        "insecure-development-key-never-used-with-debug-off" if DEBUG else get_random_secret_key()
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "powtracker.apps.PowtrackerConfig",
    "powtracker.admin_site.PowtrackerAdminConfig",  # django.contrib.admin, its apps in order
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "powtracker.apps.SigninAuditConfig",  # django-axes
    "csp",
    # Only for its translated ISO 3166 country names (states.state_names).
    "django_countries",
    # Before django_tasks_db: its `db_worker` command is jobs' (the worker with the jobs' upkeep).
    "jobs",
    "django_tasks_db",
    "states",
    "diplomacy",
    "cases",
    "partners",
    "reports",
    "imports",
    "webhooks",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Read-only mode shows the admin only what reads (powtracker.routing).
    "powtracker.routing.ReadOnlyUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Every write of a request goes through a service, or is refused (powtracker.writes).
    "powtracker.writes.WriteGuardMiddleware",
    # Last, so that it turns a lockout flagged anywhere below into the lockout response.
    "axes.middleware.AxesMiddleware",
]
# The API refuses oversize bodies with 413 before anything reads them.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=256 * 1024)
MIDDLEWARE.insert(1, "powtracker.api.middleware.ApiBodyLimitMiddleware")
# No 404 under /api/ is an HTML page, even with DEBUG on; no NUL character reaches a query.
MIDDLEWARE.insert(2, "powtracker.api.middleware.ApiNotFoundMiddleware")
MIDDLEWARE.insert(3, "powtracker.middleware.RefuseNulMiddleware")
# Outside all of them, so that every answer carries the Content-Security-Policy.
MIDDLEWARE.insert(1, "csp.middleware.CSPMiddleware")
# The language (cookie of the language menu, else Accept-Language) before any refusal is worded:
# the body limit, the NUL guard and the API's 404 speak it too.
MIDDLEWARE.insert(2, "django.middleware.locale.LocaleMiddleware")
# A database outage answers 503, never 500 (powtracker.outage): outside every middleware that may
# touch the database, inside those that never do (so the page carries CSP and speaks the
# reader's language, and static files are served without the database).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
    "powtracker.outage.DatabaseOutageMiddleware",
)
# Where reads go (a replica, the primary) and read-only mode (powtracker.replicas), right inside
# the outage middleware: the sessions' reads and writes follow the route too.
MIDDLEWARE.insert(
    MIDDLEWARE.index("powtracker.outage.DatabaseOutageMiddleware") + 1,
    "powtracker.routing.DatabaseRouteMiddleware",
)
# Behind HAProxy: the client's address from X-Forwarded-For, believed only from the proxies named
# here (addresses or CIDR ranges, comma-separated; empty: nobody's), before anything reads it
# (powtracker.proxies). The sign-in lockouts, the sign-in audit and the throttles see it.
TRUSTED_PROXIES = [
    name.strip() for name in env.str("TRUSTED_PROXIES", default="").split(",") if name.strip()
]
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _error:  # refused at start, not a 500 on every request
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_error}") from None
# Requests per partner (or staff user): NUMBER/second, minute, hour or day (DRF's first letter).
API_RATE = env.str("API_RATE", default="600/minute")
if not re.fullmatch(r"[0-9]+/[smhd][a-z]*", API_RATE):
    raise ImproperlyConfigured(f"API_RATE must read like 600/minute, not {API_RATE!r}.")
MIDDLEWARE.insert(0, "powtracker.proxies.TrustedProxyMiddleware")
# First of all: /healthz and /readyz answer before anything checks the Host header or redirects
# to HTTPS (powtracker.health).
MIDDLEWARE.insert(0, "powtracker.health.ProbeMiddleware")
# Seconds a client is asked to wait (Retry-After) when it is answered 503.
RETRY_AFTER_SECONDS = env.int("RETRY_AFTER_SECONDS", default=30)
# The longest /readyz waits for a database or the cache to answer; each database is also asked
# to connect within it (PostgreSQL's connect_timeout, which counts 2 s at least).
HEALTH_CHECK_TIMEOUT = env.int("HEALTH_CHECK_TIMEOUT", default=2)

ROOT_URLCONF = "powtracker.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "powtracker.routing.read_only",
            ],
        },
    },
]

WSGI_APPLICATION = "powtracker.wsgi.application"

# The embedded SQLite file is the zero-setup default; production and CI use PostgreSQL.
DATABASE_URL = (
    env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'var' / 'powtracker.sqlite3'}"
)
# How long a new PostgreSQL connection may take before it counts as failed: a database host that
# is gone (no answer at all) is then a 503 within seconds (powtracker.outage), not a request
# hanging until the worker is killed. A `connect_timeout` in the URL wins.
DATABASE_CONNECT_TIMEOUT = env.int("DATABASE_CONNECT_TIMEOUT", default=5)


# Connections to PostgreSQL go one of three ways (README "Deploying"):
# - straight, each kept open DATABASE_CONN_MAX_AGE seconds (the default);
# - through PgBouncer in transaction mode (DATABASE_PGBOUNCER): a transaction may land on any
#   server connection, so no server-side cursor holds one across transactions, and no startup
#   `options` are sent (PgBouncer refuses them; deploy/postgresql/powtracker.conf turns JIT off on
#   the server instead). The app prepares no statement and takes only transaction-level advisory
#   locks, which transaction mode keeps;
# - from psycopg's pool in each process (DATABASE_POOL), for threaded gunicorn workers: at least
#   DATABASE_POOL_MIN_SIZE connections open, at most DATABASE_POOL_MAX_SIZE, a request waiting
#   DATABASE_POOL_TIMEOUT seconds at most for one; each is checked as it is taken, so connections
#   to a restarted server are replaced, not handed out broken.
DATABASE_PGBOUNCER = env.bool("DATABASE_PGBOUNCER", default=False)
DATABASE_POOL = env.bool("DATABASE_POOL", default=False)


def postgres_connection(options: dict) -> dict:
    """The settings of one PostgreSQL alias for the way it connects; `options` (its OPTIONS) is
    completed in place."""
    if DATABASE_PGBOUNCER and DATABASE_POOL:
        raise ImproperlyConfigured(
            "DATABASE_PGBOUNCER and DATABASE_POOL exclude each other: PgBouncer is the pool."
        )
    options.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT)
    settings_ = {"CONN_HEALTH_CHECKS": True}
    if DATABASE_PGBOUNCER:
        settings_["DISABLE_SERVER_SIDE_CURSORS"] = True
    else:
        # PostgreSQL's JIT compiles a plan's expressions when it guesses a query is costly; for
        # the register's queries, which read a page or count through indexes, the compiling
        # costs more than it saves (hundreds of ms on a count at 100,000 captives, issue 9).
        options.setdefault("options", "-c jit=off")
    if DATABASE_POOL:
        # Django checks each connection as the pool hands it out (CONN_HEALTH_CHECKS).
        options["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
            "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=8),
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
        }
        settings_["CONN_MAX_AGE"] = 0  # the pool keeps them
    else:
        settings_["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    return settings_


def database_config(url: str) -> dict:
    """One database's settings from its URL, tuned for its engine (the primary and each replica
    alike)."""
    config = env.db_url_config(url)
    config["ATOMIC_REQUESTS"] = False
    if config["ENGINE"] == "django.db.backends.postgresql":
        config.update(postgres_connection(config.setdefault("OPTIONS", {})))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # SQLite takes its write lock when a transaction first writes; two transactions that read
        # first then both want to write deadlock, and one fails at once with "database is
        # locked". Taking the lock at BEGIN makes writers queue instead, each waiting up to the
        # busy timeout.
        config.setdefault("OPTIONS", {}).update(
            {
                "transaction_mode": "IMMEDIATE",
                "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
            }
        )
    return config


DATABASES = {"default": database_config(DATABASE_URL)}
# Streaming replicas, comma-separated URLs (empty: none): each is the alias replica1, replica2…
# in the order given. /readyz reports whether each answers and how far it lags. Tests use the
# primary's test database for them (MIRROR): a replica is a copy of it.
DATABASE_REPLICA_URLS = [
    url.strip() for url in env.str("DATABASE_REPLICA_URLS", default="").split(",") if url.strip()
]
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    DATABASES[f"replica{_number}"] = {
        **database_config(_url),
        "TEST": {"MIRROR": "default"},
    }

# Where reads go (powtracker.replicas): to a replica only where they cannot be stale. A writer's
# reads for DATABASE_PIN_SECONDS after it wrote, and every read while a replica lags more than
# DATABASE_REPLICA_MAX_LAG seconds, go to the primary. Needs the shared cache in Redis
# (CACHE_URL): the pins and the position of the last change of who may see what are kept there.
DATABASE_REPLICAS = [alias for alias in DATABASES if alias.startswith("replica")]
DATABASE_ROUTERS = ["powtracker.db_router.PrimaryReplicaRouter"]
DATABASE_PIN_SECONDS = env.int("DATABASE_PIN_SECONDS", default=15)
DATABASE_REPLICA_MAX_LAG = env.float("DATABASE_REPLICA_MAX_LAG", default=5.0)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-axes vets every sign-in first (lockout), then Django checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Where a sign-in lands when its `next` is missing or unsafe (another site): the admin's index,
# not Django's default /accounts/profile/, which no page here answers.
LOGIN_REDIRECT_URL = "admin:index"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The languages of the admin, the rules' messages and the API's error messages. A browser's
# Accept-Language picks one (LocaleMiddleware), the admin's language menu overrides it.
LANGUAGES = [("en", "English"), ("uk", "Українська"), ("ko", "한국어")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Everything is stored in UTC; TIME_ZONE only changes how times are shown.
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
# One date format everywhere, in every language: ISO 8601 (2025-01-05, 2025-01-05 14:30), in
# lists, pages and inputs. Django reads the active language's format module before these
# settings, so powtracker/formats holds one for each language we speak (en, uk, ko, ru).
FORMAT_MODULE_PATH = ["powtracker.formats"]
DATE_FORMAT = iso_formats.DATE_FORMAT
DATETIME_FORMAT = iso_formats.DATETIME_FORMAT
SHORT_DATE_FORMAT = iso_formats.SHORT_DATE_FORMAT
SHORT_DATETIME_FORMAT = iso_formats.SHORT_DATETIME_FORMAT
TIME_FORMAT = iso_formats.TIME_FORMAT
YEAR_MONTH_FORMAT = iso_formats.YEAR_MONTH_FORMAT
MONTH_DAY_FORMAT = iso_formats.MONTH_DAY_FORMAT
FIRST_DAY_OF_WEEK = iso_formats.FIRST_DAY_OF_WEEK
DATE_INPUT_FORMATS = iso_formats.DATE_INPUT_FORMATS
TIME_INPUT_FORMATS = iso_formats.TIME_INPUT_FORMATS
DATETIME_INPUT_FORMATS = iso_formats.DATETIME_INPUT_FORMATS

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# The documents' fonts (OFL) also serve the admin, so Hangul shows on a machine without a
# Korean font: static/fonts/… (reports/static/reports/fonts.css loads them by unicode-range).
STATICFILES_DIRS = [("fonts", BASE_DIR / "reports" / "documents" / "fonts")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Files served at the site's root: /favicon.ico, which browsers ask for on their own.
WHITENOISE_ROOT = BASE_DIR / "powtracker" / "root"

# HTTPS hardening is on whenever DEBUG is off, unless HTTPS=false says TLS is not in front of us
# (tests, a local demo).
HTTPS = env.bool("HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): everything from this server, no inline script, no CDN.
# Styles may be inline: Swagger UI and Redoc set them from their scripts, and the admin uses
# style attributes. Redoc builds its search worker from a blob: URL.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# The cache shared by every process and server: DRF's throttles count in it. The database cache
# is the default (every `migrate` makes its table: powtracker.apps); Redis where a deployment
# has one.
# An empty CACHE_URL (as an environment file may leave it) means the default too.
CACHES = {
    "default": env.cache_url_config(
        env.str("CACHE_URL", default="") or "dbcache://powtracker_cache"
    )
}
# django-environ leaves KEY_PREFIX, TIMEOUT… in lower case for Django's own RedisCache, which
# then ignores them; servers sharing one Redis need their own key prefix.
for _option in ("key_prefix", "timeout", "version", "key_function"):
    if _option in CACHES["default"]:
        CACHES["default"][_option.upper()] = CACHES["default"].pop(_option)

# Sign-in lockout (django-axes), for the admin and the OAuth2 token and revocation endpoints
# alike (partners.signin): after AXES_FAILURE_LIMIT failures for one user name (or client id)
# from one address, or from one address whatever it names, further attempts are refused with 429
# until the cool-off has passed since the last failure. Never per name alone: anyone could lock
# its owner out by naming it. Failures are counted in the database (shared by every process and
# server) and every sign-in, failure and lockout is kept for the supervisors' sign-in audit.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_CLIENT_IP_CALLABLE = "powtracker.proxies.client_address"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_RESET_ON_SUCCESS = False
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "partners.signin.lockout_response"
AXES_ENABLE_ADMIN = False  # registered read-only by partners.signin_admin
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "client_secret",
    "client_assertion",
    "code",
    "code_verifier",
    "refresh_token",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"quiet": {"()": "powtracker.outage.QuietFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # A database outage is logged in one line by powtracker.outage, not once per request, and
    # the probes' 503s not at all (powtracker.health).
    "loggers": {"django.request": {"filters": ["quiet"]}},
}

# GC III deadlines, in days after the triggering event. Art. 70 gives a week for the capture card
# and Art. 122 asks for weekly health reports; Arts. 120 and 122 say "as rapidly as possible" for
# death records and notifications, for which a week is the default here.
OBLIGATION_PERIOD_DAYS = {
    "capture_card": env.int("CAPTURE_CARD_DAYS", default=7),
    "nib_notification": env.int("NIB_NOTIFICATION_DAYS", default=7),
    "health_report": env.int("HEALTH_REPORT_DAYS", default=7),
    "death_record": env.int("DEATH_RECORD_DAYS", default=7),
}

# --- background work -------------------------------------------------------------------------

# django-tasks with its database backend: a task row is written in the transaction that enqueues
# it, and `manage.py db_worker` runs them (jobs.services keeps attempts, retries and leases).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# An attempt's lease: a worker that has not renewed it for this long (killed, its machine lost,
# hung) loses the job, which any worker then takes up again.
JOB_LEASE_SECONDS = env.int("JOB_LEASE_SECONDS", default=120)
# How often a running job renews its lease and records its progress.
JOB_HEARTBEAT_SECONDS = env.int("JOB_HEARTBEAT_SECONDS", default=5)
# How often each worker looks for leases that ran out.
JOB_REAP_SECONDS = env.int("JOB_REAP_SECONDS", default=10)
# Attempts before a job fails for good, and the wait after the first failed one (× 4 after each).
JOB_MAX_ATTEMPTS = env.int("JOB_MAX_ATTEMPTS", default=3)
JOB_RETRY_SECONDS = env.int("JOB_RETRY_SECONDS", default=30)

# --- webhooks --------------------------------------------------------------------------------

# The address partners reach this server at: the URL of each record a notification names.
PUBLIC_URL = env.str("PUBLIC_URL", default="http://127.0.0.1:8000").rstrip("/")
# One delivery attempt, connection to last byte read.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=15.0)
# The waits after each failed attempt (seconds), after the first, immediate one: Standard
# Webhooks' schedule, about three days in all. When the last fails, the endpoint is disabled.
_SCHEDULE = ["5", "300", "1800", "7200", "18000", "36000", "50400", "72000", "86400"]
# (Empty, as an environment file may leave it: the default.)
_schedule = [w for w in env.list("WEBHOOK_RETRY_SCHEDULE", default=_SCHEDULE) if w.strip()]
_schedule = _schedule or _SCHEDULE
# How long the secret a rotation replaces stays valid (both signatures are sent meanwhile).
WEBHOOK_SECRET_OVERLAP_HOURS = env.int("WEBHOOK_SECRET_OVERLAP_HOURS", default=24)
# For tests and closed networks only (`check --deploy` warns): deliver to private, loopback and
# link-local addresses, and over plain http.
WEBHOOK_ALLOW_PRIVATE_NETWORKS = env.bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", default=False)
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=False)
# Certificate authorities trusted for https deliveries, besides the system's (a PEM file).
WEBHOOK_CA_FILE = env.str("WEBHOOK_CA_FILE", default="")
# Refused at start, in words, rather than failing every delivery later.
if not 0 < WEBHOOK_TIMEOUT_SECONDS <= 300:
    raise ImproperlyConfigured("WEBHOOK_TIMEOUT_SECONDS must be more than 0 and at most 300.")
if not _schedule or not all(str(wait).strip().isdigit() for wait in _schedule):
    raise ImproperlyConfigured(
        "WEBHOOK_RETRY_SCHEDULE must list whole seconds, comma-separated (5,300,1800,...), "
        f"not {','.join(_schedule)!r}."
    )
WEBHOOK_RETRY_SCHEDULE = [int(str(wait).strip()) for wait in _schedule]
if not 0 <= WEBHOOK_SECRET_OVERLAP_HOURS <= 168:
    raise ImproperlyConfigured("WEBHOOK_SECRET_OVERLAP_HOURS must be from 0 to 168.")
if WEBHOOK_CA_FILE and not Path(WEBHOOK_CA_FILE).is_file():
    raise ImproperlyConfigured(f"WEBHOOK_CA_FILE names no file: {WEBHOOK_CA_FILE!r}.")

# --- importing lists -------------------------------------------------------------------------

# What an uploaded XLSX workbook may cost to read, measured before openpyxl parses it
# (imports.xlsx_cost; refused as `workbook_too_costly`). Its 20 MB on disk say little: its parts
# are compressed, and openpyxl takes ~10-20 µs a cell and keeps the whole table of shared text in
# memory. A workbook at every bound at once is read in 12-18 s, growing the worker by ~80 MB (on
# a busy 2-core machine): well within a worker's 30 s. Each bound leaves room for a real list:
# 50,000 rows of up to 20 filled columns, every name distinct.
# All parts unpacked, and each part openpyxl parses whole (styles, workbook, relationships…).
IMPORT_XLSX_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
IMPORT_XLSX_MAX_PART_BYTES = 10 * 1024 * 1024
# A sheet: the highest column and row a cell or row lies in (empty rows count: openpyxl hands
# each over), the cells openpyxl hands over (a row up to its last cell), its XML elements (a
# cell is 2-3). 60,000 rows: the 50,000 a list may hold, its header, titles and blank rows.
IMPORT_XLSX_MAX_COLUMNS = 200
IMPORT_XLSX_MAX_ROWS = 60_000
IMPORT_XLSX_MAX_CELLS = 1_000_000
IMPORT_XLSX_MAX_XML_ELEMENTS = 3_000_000
# The table of shared text, kept whole in memory by openpyxl: entries, their characters, and its
# XML elements (an entry is 2, more with formatting, each ~7 µs to openpyxl).
IMPORT_XLSX_MAX_SHARED_STRINGS = 500_000
IMPORT_XLSX_MAX_SHARED_CHARACTERS = 10_000_000
IMPORT_XLSX_MAX_SHARED_ELEMENTS = 1_500_000

# --- the partner API -------------------------------------------------------------------------

# How long a request may hold an Idempotency-Key while it sits idle in its transaction (a hung
# worker): past it PostgreSQL ends the transaction and the key is free for a retry.
IDEMPOTENCY_LEASE_SECONDS = env.int("IDEMPOTENCY_LEASE_SECONDS", default=60)

# The streamed export (GET /api/v1/captives/export/) refuses a list longer than this
# (`export_too_large`: ask for it as a job, POST /api/v1/captives/exports/), so that it ends well
# inside a worker's timeout (0: no limit). A job's file is kept this many hours.
EXPORT_STREAM_MAX_ROWS = env.int("EXPORT_STREAM_MAX_ROWS", default=2000)
EXPORT_FILE_HOURS = env.int("EXPORT_FILE_HOURS", default=24)

# Exports of everything (staff) or a partner's full-level export must be an AES-256 ZIP.
EXPORT_FULL_LEVEL_REQUIRES_PASSWORD = env.bool("EXPORT_FULL_LEVEL_REQUIRES_PASSWORD", default=False)

# Marked for the catalogues: the admin shows each description in the reader's language.
API_SCOPES = {
    "cases:read": gettext_noop("Read the cases shared with the partner, at its disclosure level"),
    "cases:write": gettext_noop("Record custody events and wishes; correct particulars"),
    "cases:register": gettext_noop(
        "Register captives your own state holds (a state agency only); the answer lists the "
        "possible duplicates you may see"
    ),
    "wishes:read": gettext_noop("Read wishes (with full disclosure only)"),
    "diplomacy:read": gettext_noop("Read exchange proposals, contacts and transfer requests"),
    "diplomacy:write": gettext_noop("Move proposals and transfer requests along their steps"),
    "webhooks:manage": gettext_noop(
        "Subscribe to notifications of changes (signed webhooks) and manage the subscriptions"
    ),
    "reports:export": gettext_noop(
        "Export the captive list as a file (redacted like the list, ledgered)"
    ),
}

OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth2_provider.AccessToken"  # noqa: S105
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth2_provider.RefreshToken"  # noqa: S105
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"  # noqa: S105
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"

OAUTH2_PROVIDER = {
    "SCOPES": API_SCOPES,
    "DEFAULT_SCOPES": ["cases:read"],
    "SCOPES_BACKEND_CLASS": "partners.scopes.PartnerScopes",
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("ACCESS_TOKEN_EXPIRE_SECONDS", default=3600),
    "PKCE_REQUIRED": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    "ALLOW_URI_WILDCARDS": False,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
    # RFC 9700 (OAuth 2.0 Security Best Current Practice): every gate on.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "partners.authentication.PartnerAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["powtracker.api.permissions.PartnerOrStaff"],
    "DEFAULT_PARSER_CLASSES": ["powtracker.api.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "powtracker.api.ordering.ReaderOrdering",
    ],
    "DEFAULT_PAGINATION_CLASS": "powtracker.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["powtracker.api.throttles.PartnerThrottle"],
    "DEFAULT_THROTTLE_RATES": {"partner": API_RATE},
    # An anonymous client is its address (REMOTE_ADDR, which powtracker.proxies resolved), never
    # the X-Forwarded-For it sent itself.
    "NUM_PROXIES": 0,
    "EXCEPTION_HANDLER": "partners.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "powtracker partner API",
    "DESCRIPTION": (
        "Cases of prisoners of war, shared with partner agencies as far as their role requires "
        "(GC III Art. 123). Authenticate with the OAuth2 client-credentials grant at /o/token/."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "CustodyEventKindEnum": "cases.choices.CustodyEventKind",
        "MediaKindEnum": "cases.choices.MediaKind",
        "ObligationKindEnum": "cases.choices.ObligationKind",
        "WishEnum": "cases.choices.Wish",
        "TransferKindEnum": "diplomacy.choices.TransferKind",
        "TransferStatusEnum": "diplomacy.choices.TransferStatus",
        "ProposalStatusEnum": "diplomacy.choices.ProposalStatus",
        "WebhookEventTypeEnum": "webhooks.models.EventType",
    },
    "COMPONENT_NO_READ_ONLY_REQUIRED": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "powtracker.api.schema.add_error_responses",
        "webhooks.schema.signature_headers_add",
    ],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # OpenAPI 3.1 for its `webhooks`: what partners are sent, one entry per event type.
    "OAS_VERSION": "3.1.0",
    "WEBHOOKS": [
        f"webhooks.schema.{name}"
        for name in (
            "CAPTIVE_REGISTERED",
            "CAPTIVE_CHANGED",
            "PROPOSAL_CHANGED",
            "TRANSFER_REQUEST_CHANGED",
            "CONTACT_CREATED",
            "EXPORT_READY",
        )
    ],
}

# Demo logins created by `manage.py load_demo` (never in production: the command refuses when
# DEBUG is off unless forced).
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="powtracker-demo")
