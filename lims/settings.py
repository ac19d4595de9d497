"""Settings come from the environment, with safe defaults for a laptop.

Embedded default: SQLite in ./var and kombu's filesystem broker, so `make run`
needs no server. DATABASE_URL and CELERY_BROKER_URL switch to PostgreSQL and
Redis (or RabbitMQ). LIMS_MODE=production turns on the deploy hardening that
`manage.py check --deploy` asks for and refuses to start without a real
SECRET_KEY and ALLOWED_HOSTS.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LIMS_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in ("1", "true", "yes", "on")


MODE = os.environ.get("LIMS_MODE", "development")
PRODUCTION = MODE == "production"
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when LIMS_MODE=production")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "*").split(",") if h]
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when LIMS_MODE=production")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Public address used in certificate QR codes and verification links. In
# production there is no default: the system check lims.E001 fails
# `check --deploy` while it is unset or a loopback address (lims/checks.py).
LIMS_PUBLIC_URL = os.environ.get("LIMS_PUBLIC_URL", "" if PRODUCTION else "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "lims",  # before staticfiles: its runserver (debug pages only on loopback) takes precedence
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "maturity",
    "certificates",
    "qc",
    "composting",
    "web",  # the shell on top: pages, API, root URLs (README "Layout")
]

MIDDLEWARE = [
    "lims.uploads.UploadLimitMiddleware",  # 413 before any body is read
    "django.middleware.security.SecurityMiddleware",
    "web.middleware.RejectNulMiddleware",  # hostile input: NUL in path or query string -> 400
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lims.audit.AuditContextMiddleware",  # actor of audited changes (lab settings, users, ...): the request's user
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # a locked-out login answers 429 (lims.lockout.lockout_response)
]

ROOT_URLCONF = "web.root_urls"
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
            ],
            "libraries": {"web": "web.templatetags.web"},
        },
    },
]
WSGI_APPLICATION = "lims.wsgi.application"

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions: writers queue for the lock instead of failing
    # half-way, which keeps per-year numbering gap-free on SQLite too.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}

# Login throttling counts failures in the cache: with more than one web
# process, point LIMS_CACHE_URL at Redis (e.g. redis://127.0.0.1:6379/1) so
# they share the count.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["LIMS_CACHE_URL"]}
    if os.environ.get("LIMS_CACHE_URL")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

AUTH_USER_MODEL = "lims.User"
AUTHENTICATION_BACKENDS = ["lims.lockout.LockoutBackend", "django.contrib.auth.backends.ModelBackend"]

# --- Security: login lockout, trusted proxies, verification codes (README "Security and limits")
# Proxy headers (X-Forwarded-For) are believed only from these addresses/networks (comma-separated).
LIMS_TRUSTED_PROXIES = os.environ.get("LIMS_TRUSTED_PROXIES", "")
LIMS_LOGIN_FAILURE_LIMIT = int(os.environ.get("LIMS_LOGIN_FAILURE_LIMIT", "5"))
LIMS_LOGIN_LOCKOUT_MINUTES = float(os.environ.get("LIMS_LOGIN_LOCKOUT_MINUTES", "15"))
# /verify/: wrong verification codes allowed per client address in the window, then 429
LIMS_VERIFY_GUESS_LIMIT = int(os.environ.get("LIMS_VERIFY_GUESS_LIMIT", "10"))
LIMS_VERIFY_GUESS_WINDOW_SECONDS = int(os.environ.get("LIMS_VERIFY_GUESS_WINDOW_SECONDS", "900"))
AXES_FAILURE_LIMIT = LIMS_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LIMS_LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username"]  # one account, whatever the source address
AXES_CLIENT_IP_CALLABLE = "lims.net.client_ip"  # proxy headers only from LIMS_TRUSTED_PROXIES
AXES_LOCKOUT_CALLABLE = "lims.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# axes warns that a username-only lock lets an attacker rotate user agents; our lock sums the failures of
# every attempt of the username (tests/test_access.py proves rotating address and user agent does not help)
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hant"
LANGUAGES = [("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("LIMS_TIME_ZONE", "Asia/Taipei")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").exists() else []
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("LIMS_MEDIA_ROOT", VAR_DIR / "media"))
# WhiteNoise serves static files in every mode. Production serves the hashed,
# compressed copies collected into STATIC_ROOT (gunicorn.conf.py runs
# collectstatic when gunicorn starts); development serves straight from the
# source folders, also when DEBUG is off (runserver on a non-loopback address).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# Upload limits (lims.uploads, maturity.importing): body size (413 before it is read), rows of an import,
# bytes an XLSX may inflate to, size of a chromatogram photo.
LIMS_UPLOAD_MAX_BYTES = int(float(os.environ.get("LIMS_UPLOAD_MAX_MB", "20")) * 1_000_000)
LIMS_IMPORT_MAX_ROWS = int(os.environ.get("LIMS_IMPORT_MAX_ROWS", "200000"))
LIMS_IMPORT_MAX_INFLATED_BYTES = int(float(os.environ.get("LIMS_IMPORT_MAX_INFLATED_MB", "200")) * 1_000_000)
LIMS_PHOTO_MAX_BYTES = int(float(os.environ.get("LIMS_PHOTO_MAX_MB", "10")) * 1_000_000)
# Hostile input: JSON bodies nested deeper than this are refused with a 400 (web.api.parsers).
LIMS_MAX_JSON_DEPTH = int(os.environ.get("LIMS_MAX_JSON_DEPTH", "32"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": int(os.environ.get("LIMS_API_PAGE_SIZE", "50")),
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "web.api.schema.LimsAutoSchema",  # documents the error answers too
    "EXCEPTION_HANDLER": "web.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "web.api.parsers.JSONRenderer",  # a Message in an answer reads in the request's language
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "web.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "URL_FORMAT_OVERRIDE": None,  # ?format= is ours (export csv|xlsx), not content negotiation
    "DEFAULT_THROTTLE_RATES": {"login": os.environ.get("LIMS_LOGIN_THROTTLE", "10/min")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Compost LIMS API",
    "DESCRIPTION": "Samples, assays, maturity and compliance judgements, certificates.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "SampleStatusEnum": "lims.models.Sample.Status",
        "RenderStatusEnum": "certificates.models.Document.RENDER_STATES",
        "AssayStatusEnum": "maturity.models.Assay.STATUS",
    },
}

# Celery. Default broker: kombu's filesystem transport (no server needed).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
BROKER_DIR = Path(os.environ.get("LIMS_BROKER_DIR", VAR_DIR / "broker"))
if CELERY_BROKER_URL.startswith("filesystem"):
    for sub in ("out", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "out"),
        "data_folder_out": str(BROKER_DIR / "out"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": float(os.environ.get("LIMS_BROKER_POLL_SECONDS", "0.1")),
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# Reliability: the web process gives up on an unreachable broker after this many seconds (one attempt, no retry);
# the request is kept in the outbox and the relay sends it when the broker is back.
LIMS_BROKER_PUBLISH_TIMEOUT = float(os.environ.get("LIMS_BROKER_PUBLISH_TIMEOUT", "0.5"))
# Health: a worker whose last scheduled heartbeat (every LIMS_WORKER_HEARTBEAT_SECONDS, lims/celery.py) is older
# than this is reported stopped by /api/v1/health/.
LIMS_WORKER_STALE_SECONDS = float(os.environ.get("LIMS_WORKER_STALE_SECONDS", "45"))
# The relay sends again a document still queued this long after dispatch when no render has moved meanwhile.
LIMS_OUTBOX_STALLED_SECONDS = float(os.environ.get("LIMS_OUTBOX_STALLED_SECONDS", "90"))
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("LIMS_CELERY_QUEUE", "lims")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LIMS_LOG_LEVEL", "INFO")},
}

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
