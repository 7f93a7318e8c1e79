"""Settings shared by every environment; the only module that reads the environment.

Every variable has a working embedded default (SQLite, local memory cache, eager Celery,
in-memory channel layer, local files, console email) and is listed in `.env.example`.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

# --- Core ---------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-embedded-default-change-me")
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
APP_NAME = "Platform"
APP_VERSION = env("APP_VERSION", default="0.1.0")
GIT_COMMIT = env("GIT_COMMIT", default="unknown")
ENVIRONMENT = env("ENVIRONMENT", default="development")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_prometheus",
    "django_celery_beat",
    "channels",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.github",
    "anymail",
    "storages",
    "apps.core",
    "apps.accounts",
    "apps.workspaces",
    "apps.activity",
    "apps.crm",
    "apps.billing",
    "apps.api_keys",
    "apps.preferences",
    "apps.files",
    "apps.search",
    "apps.ai",
    "apps.notifications",
    "apps.dashboard",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "apps.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "apps.core.middleware.AccessLogMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
SITE_ID = 1

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
                "apps.preferences.context_processors.app_settings",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# An empty DATABASE_URL means the embedded SQLite file, so `DATABASE_URL= make test` is embedded.
DATABASE_URL = env("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": environ.Env.db_url_config(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    if env.bool("DATABASE_POOL", default=True):
        # psycopg's pool replaces persistent connections (CONN_MAX_AGE must stay 0 with it).
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN", default=2),
            "max_size": env.int("DATABASE_POOL_MAX", default=10),
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, rate limits -------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="platform"),
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

RATELIMIT_USE_CACHE = "default"
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
# A failing cache must not lock everybody out; the limits are a shield, not the lock.
RATELIMIT_FAIL_OPEN = env.bool("RATELIMIT_FAIL_OPEN", default=True)
RATE_LIMIT_AUTH = env("RATE_LIMIT_AUTH", default="5/m")
RATE_LIMIT_ANON = env("RATE_LIMIT_ANON", default="100/m")
RATE_LIMIT_USER = env("RATE_LIMIT_USER", default="1000/m")
# How many reverse proxies in front of the app append to X-Forwarded-For. 0 trusts no header:
# the client IP is the socket's peer, so a forged header cannot dodge a limit.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Auth ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "/dashboard/"
LOGIN_URL = "/accounts/login/"

ACCESS_TOKEN_LIFETIME = timedelta(minutes=env.int("ACCESS_TOKEN_MINUTES", default=15))
REFRESH_TOKEN_LIFETIME = timedelta(days=env.int("REFRESH_TOKEN_DAYS", default=7))
JWT_SIGNING_KEY = env("JWT_SIGNING_KEY", default="") or SECRET_KEY
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": ACCESS_TOKEN_LIFETIME,
    "REFRESH_TOKEN_LIFETIME": REFRESH_TOKEN_LIFETIME,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": JWT_SIGNING_KEY,
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "sub",
    "TOKEN_TYPE_CLAIM": "type",
    "AUTH_HEADER_TYPES": ("Bearer",),
    "UPDATE_LAST_LOGIN": False,
    "LEEWAY": 5,
}
REFRESH_COOKIE_NAME = "refresh_token"
REFRESH_COOKIE_PATH = "/api/v1/auth/"
REFRESH_COOKIE_SECURE = env.bool("REFRESH_COOKIE_SECURE", default=False)
REFRESH_COOKIE_SAMESITE = env("REFRESH_COOKIE_SAMESITE", default="Lax")

GOOGLE_CLIENT_ID = env("GOOGLE_CLIENT_ID", default="")
GOOGLE_CLIENT_SECRET = env("GOOGLE_CLIENT_SECRET", default="")
GOOGLE_CERTS_URL = env("GOOGLE_CERTS_URL", default="https://www.googleapis.com/oauth2/v1/certs")
GITHUB_CLIENT_ID = env("GITHUB_CLIENT_ID", default="")
GITHUB_CLIENT_SECRET = env("GITHUB_CLIENT_SECRET", default="")

# django-allauth: email is the login; the username is generated and editable later.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="optional")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_ADAPTER = "apps.accounts.adapters.AccountAdapter"
ACCOUNT_USER_DISPLAY = "apps.accounts.adapters.user_display"
ACCOUNT_SIGNUP_FORM_CLASS = "apps.accounts.forms.SignupForm"
SOCIALACCOUNT_ADAPTER = "apps.accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = {}
if GOOGLE_CLIENT_ID:
    SOCIALACCOUNT_PROVIDERS["google"] = {
        "APPS": [{"client_id": GOOGLE_CLIENT_ID, "secret": GOOGLE_CLIENT_SECRET}],
        "SCOPE": ["profile", "email"],
    }
if GITHUB_CLIENT_ID:
    SOCIALACCOUNT_PROVIDERS["github"] = {
        "APPS": [{"client_id": GITHUB_CLIENT_ID, "secret": GITHUB_CLIENT_SECRET}],
        "SCOPE": ["user:email"],
    }

# --- API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.SessionJWTAuthentication",
        "apps.api_keys.authentication.ApiKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["apps.core.renderers.EnvelopeJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.parsers.JSONParser",
        "apps.core.parsers.FormParser",
        "apps.core.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["apps.core.throttling.RequestRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.pagination.PagePagination",
    "DEFAULT_SCHEMA_CLASS": "apps.core.schema.EnvelopeAutoSchema",
    "EXCEPTION_HANDLER": "apps.core.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Largest JSON or form body the API parses; bigger ones answer 413 PAYLOAD_TOO_LARGE.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)
# Largest multipart upload; each kind of file has its own smaller limit.
API_MAX_UPLOAD_BYTES = env.int("API_MAX_UPLOAD_BYTES", default=11 * 1024 * 1024)
AVATAR_MAX_BYTES = env.int("AVATAR_MAX_BYTES", default=2 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES

SPECTACULAR_SETTINGS = {
    "TITLE": "Platform API",
    "DESCRIPTION": (
        "Every response is an envelope: `{success, data, message?}`, with `meta` on pages; "
        "errors are `{success: false, error: {code, message, details}}`. JSON is camelCase.\n\n"
        "**Workspaces.** Workspace data (clients, projects, notes, time, activity) is read and "
        "written in the workspace named by the `X-Workspace-ID` header, or in your personal "
        "workspace without it. A workspace you are not a member of, and anything in it, "
        "answers 404; a role that may not do something answers 403. `teams/{id}` endpoints "
        "name the workspace in the path."
    ),
    "VERSION": APP_VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and docs are public; a stale token or an API key must not turn them into errors.
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "ClientStatusEnum": "apps.crm.models.Client.Status",
        "ProjectStatusEnum": "apps.crm.models.Project.Status",
        "WorkspaceRoleEnum": "apps.workspaces.roles.Role",
        "SubscriptionStatusEnum": "apps.billing.models.Subscription.Status",
        "InvoiceStatusEnum": "apps.billing.models.Invoice.Status",
        "PaymentStatusEnum": "apps.billing.models.Payment.Status",
        "RefundStatusEnum": "apps.billing.models.Refund.Status",
        "SummaryTargetTypeEnum": "apps.ai.models.TargetType",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "drf_spectacular.contrib.djangorestframework_camel_case.camelize_serializer_fields",
        "apps.core.schema.envelope_postprocessing_hook",
    ],
}

# --- Celery -------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or REDIS_URL
CELERY_RESULT_BACKEND = None
# Without a broker, tasks run in-process so the embedded mode needs no worker.
CELERY_TASK_ALWAYS_EAGER = (
    env.bool("CELERY_TASK_ALWAYS_EAGER")
    if env("CELERY_TASK_ALWAYS_EAGER", default="")
    else not CELERY_BROKER_URL
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"apps.*.tasks.send_*": {"queue": "email"}, "apps.ai.*": {"queue": "ai"}}
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "purge-expired-auth-sessions": {
        "task": "apps.accounts.tasks.purge_expired_sessions",
        "schedule": timedelta(hours=6),
    },
    "stop-stale-timers": {
        "task": "apps.crm.tasks.stop_stale_timers",
        "schedule": timedelta(minutes=15),
    },
    "reconcile-stripe": {
        "task": "apps.billing.tasks.reconcile_with_stripe",
        "schedule": crontab(hour=3, minute=17),
    },
    "requeue-stale-emails": {
        "task": "apps.notifications.tasks.requeue_stale_emails",
        "schedule": timedelta(minutes=10),
    },
    "send-deadline-reminders": {
        "task": "apps.notifications.tasks.send_deadline_reminders",
        "schedule": crontab(minute=5),
    },
    "send-weekly-summaries": {
        "task": "apps.notifications.tasks.send_weekly_summaries",
        "schedule": crontab(minute=10),
    },
    "fail-stale-ai-jobs": {
        "task": "apps.ai.tasks.fail_stale_jobs",
        "schedule": timedelta(minutes=10),
    },
    "purge-expired-audit-events": {
        "task": "apps.billing.tasks.purge_expired_activity",
        "schedule": crontab(hour=3, minute=47),
    },
}
CELERY_TIMEZONE = "UTC"

# --- Workspaces and the CRM --------------------------------------------------------------
INVITE_TTL_DAYS = env.int("INVITE_TTL_DAYS", default=7)
# A timer still running after this many hours is stopped by the scheduled job at that mark.
TIMER_MAX_RUNNING_HOURS = env.int("TIMER_MAX_RUNNING_HOURS", default=12)

# --- Billing (Stripe) ----------------------------------------------------------------------
# Without a secret key, billing endpoints that need Stripe answer 503 PAYMENTS_DISABLED.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
# Pinned: payloads are parsed in this version's shape, whatever the account's default is.
STRIPE_API_VERSION = env("STRIPE_API_VERSION", default="2026-10-28.endive")
# Tests and stripe-mock point this at a local server.
STRIPE_API_BASE = env("STRIPE_API_BASE", default="https://api.stripe.com")
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=10.0)
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)
# Consecutive failures that open the circuit, and seconds before it lets one call through.
STRIPE_BREAKER_FAILURES = env.int("STRIPE_BREAKER_FAILURES", default=5)
STRIPE_BREAKER_RESET_SECONDS = env.int("STRIPE_BREAKER_RESET_SECONDS", default=30)
# Where Checkout and the customer portal send people back to (the dashboard billing page).
BILLING_RETURN_URL = env("BILLING_RETURN_URL", default="http://127.0.0.1:8000/dashboard/billing/")

# --- API keys -----------------------------------------------------------------------------
API_KEY_RATE_LIMIT = env("API_KEY_RATE_LIMIT", default="600/m")

# --- Channels -----------------------------------------------------------------------------
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Files --------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
# Empty values mean "not set": boto3 then uses its own defaults and credential chain.
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL", default="") or None
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME", default="") or None
AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID", default="") or None
AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY", default="") or None
AWS_QUERYSTRING_EXPIRE = env.int("AWS_QUERYSTRING_EXPIRE", default=300)
AWS_DEFAULT_ACL = None
AWS_S3_FILE_OVERWRITE = False
if AWS_STORAGE_BUCKET_NAME:
    default_storage = {"BACKEND": "storages.backends.s3.S3Storage"}
else:
    default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Uploaded documents (apps.files): private, never under MEDIA_URL; downloads by signed URL.
PRIVATE_MEDIA_ROOT = env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private_media"))
FILE_MAX_BYTES = env.int("FILE_MAX_BYTES", default=10 * 1024 * 1024)
# Seconds a download link works (S3 presigned or Django-signed).
FILE_URL_TTL_SECONDS = env.int("FILE_URL_TTL_SECONDS", default=300)

# --- Search -------------------------------------------------------------------------------
# Matches of each kind that a search ranks (the newest): the guard that keeps a word found in
# most rows from ranking them all.
SEARCH_RANKED_PER_TYPE = env.int("SEARCH_RANKED_PER_TYPE", default=200)

# --- AI summaries -------------------------------------------------------------------------
# "extractive" (offline, the default) or "gemini" (needs GEMINI_API_KEY).
AI_PROVIDER = env("AI_PROVIDER", default="extractive")
GEMINI_API_KEY = env("GEMINI_API_KEY", default="")
GEMINI_MODEL = env("GEMINI_MODEL", default="gemini-2.5-flash")
# Tests point this at a local server that answers in Gemini's REST shape.
GEMINI_API_BASE = env("GEMINI_API_BASE", default="")
AI_TIMEOUT_SECONDS = env.int("AI_TIMEOUT_SECONDS", default=30)
AI_MAX_RETRIES = env.int("AI_MAX_RETRIES", default=3)
# Seconds before the first retry of a failed provider call (then exponential, with jitter).
AI_RETRY_DELAY_SECONDS = env.float("AI_RETRY_DELAY_SECONDS", default=1.0)
# Consecutive provider failures that open the circuit, and seconds before it lets one through.
AI_BREAKER_FAILURES = env.int("AI_BREAKER_FAILURES", default=5)
AI_BREAKER_RESET_SECONDS = env.int("AI_BREAKER_RESET_SECONDS", default=60)

# --- Notifications and scheduled emails ----------------------------------------------------
# Local hour (in each user's time zone) at which Monday's weekly summary goes out.
WEEKLY_SUMMARY_HOUR = env.int("WEEKLY_SUMMARY_HOUR", default=8)
# Days before a due date that reminders start, unless a user chose another window.
REMINDER_DEFAULT_WINDOW_DAYS = env.int("REMINDER_DEFAULT_WINDOW_DAYS", default=1)

# --- Email --------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# Seconds an SMTP connection may hang before the send fails (and the task retries).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Platform <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ANYMAIL = {
    key: value
    for key, value in {
        "SENDGRID_API_KEY": env("SENDGRID_API_KEY", default=""),
        "RESEND_API_KEY": env("RESEND_API_KEY", default=""),
        "MAILGUN_API_KEY": env("MAILGUN_API_KEY", default=""),
        "MAILGUN_SENDER_DOMAIN": env("MAILGUN_SENDER_DOMAIN", default=""),
        "POSTMARK_SERVER_TOKEN": env("POSTMARK_SERVER_TOKEN", default=""),
    }.items()
    if value
}

# --- i18n ---------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Security that holds in every environment ---------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
METRICS_TOKEN = env("METRICS_TOKEN", default="")

# --- Logging ------------------------------------------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "apps.core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        # The access log middleware writes one line per request; Django's own would double it.
        "django.request": {"level": "ERROR"},
    },
}
