"""Django settings for Gongjian, read from the environment.

GONGJIAN_ENV selects the mode: ``production`` (the default) requires SECRET_KEY and DATABASE_URL;
``demo`` and ``test`` fall back to a fixed, public development key and an SQLite file under var/.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from gongjian.core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("GONGJIAN_VAR_DIR", str(BASE_DIR / "var")))

GONGJIAN_ENV = env_str("GONGJIAN_ENV", "production")
if GONGJIAN_ENV not in {"production", "demo", "test"}:
    raise ImproperlyConfigured(
        f"GONGJIAN_ENV={GONGJIAN_ENV!r}: use production, demo or test / GONGJIAN_ENV 取值无效"
    )
IS_PRODUCTION = GONGJIAN_ENV == "production"

if IS_PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "SECRET_KEY must be at least 32 characters / SECRET_KEY 至少 32 位"
        )
else:
    # Public on purpose: only the demo and the test suite run with it.
    SECRET_KEY = env_str("SECRET_KEY", "gongjian-demo-and-test-only-not-a-secret-0123456789")

DEBUG = env_bool("DEBUG", default=GONGJIAN_ENV == "demo")
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if IS_PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

_default_db = None if IS_PRODUCTION else f"sqlite:///{VAR_DIR / 'gongjian.sqlite3'}"
_database_url = env_str("DATABASE_URL", _default_db)
try:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not valid / DATABASE_URL 无效: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", "") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A PostgreSQL streaming replica for the read-mostly pages (gongjian/core/replica.py).
_replica_url = env_str("DATABASE_REPLICA_URL", "")
if _replica_url:
    try:
        DATABASES["replica"] = dj_database_url.parse(_replica_url, conn_max_age=60)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URL is not valid / DATABASE_REPLICA_URL 无效: {exc}"
        ) from exc
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 2
    # The test database has no replica of its own: the alias reads the primary.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["gongjian.core.replica.ReplicaRouter"]
GONGJIAN_REPLICA_MAX_LAG_SECONDS = env_int("GONGJIAN_REPLICA_MAX_LAG_SECONDS", 5)
GONGJIAN_READ_YOUR_WRITES_SECONDS = env_int("GONGJIAN_READ_YOUR_WRITES_SECONDS", 5)
# Indicator evaluations kept per process until a cell under them changes (campaigns.cache);
# 0 turns the cache off (the benchmarks compare both).
GONGJIAN_EVALUATION_CACHE = env_bool("GONGJIAN_EVALUATION_CACHE", default=True)

INSTALLED_APPS = [
    "gongjian.core.apps.GongjianAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    "gongjian.core",
    "gongjian.regions",
    "gongjian.accounts",
    "gongjian.audit",
    "gongjian.projects",
    "gongjian.parks",
    "gongjian.dashboards",
    "gongjian.reporting",
    "gongjian.notifications",
    "gongjian.campaigns",
    "gongjian.bulletins",
    "gongjian.policytext",
    "gongjian.assessment",
    "gongjian.investment",
    "gongjian.plans",
    "gongjian.dispatch",
    "gongjian.demo",
]
if not IS_PRODUCTION:
    # The benchmarks and drills (`gongjian bench`) are a developer's tool, not part of the
    # platform a city runs: their command exists in the demo and test modes only.
    INSTALLED_APPS.append("gongjian.bench")

# The API's one pagination (``@paginate``): limit/offset, answered {"count", "items"}.
NINJA_PAGINATION_CLASS = "gongjian.core.api.LimitOffset"

MIDDLEWARE = [
    "gongjian.core.middleware.ForwardedClientMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "gongjian.core.middleware.RejectNulMiddleware",
    "gongjian.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "gongjian.audit.context.AuditContextMiddleware",
    "gongjian.accounts.sessions.SessionTimeoutMiddleware",
    "gongjian.accounts.sessions.PasswordChangeRequiredMiddleware",
    "gongjian.core.replica.ReadYourWritesMiddleware",
]

ROOT_URLCONF = "gongjian.urls"
WSGI_APPLICATION = "gongjian.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gongjian" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongjian.accounts.context_processors.memberships",
                "gongjian.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "gongjian.accounts.passwords.PatternPasswordValidator"},
]
# Sign-in policy (accounts.passwords, .throttle, .totp; their docstrings explain the choices).
GONGJIAN_PASSWORD_MAX_AGE_DAYS = env_int("GONGJIAN_PASSWORD_MAX_AGE_DAYS", 0)
GONGJIAN_LOGIN_PAIR_LIMIT = env_int("GONGJIAN_LOGIN_PAIR_LIMIT", 5)
GONGJIAN_LOGIN_IP_LIMIT = env_int("GONGJIAN_LOGIN_IP_LIMIT", 30)
GONGJIAN_LOGIN_ACCOUNT_IP_LIMIT = env_int("GONGJIAN_LOGIN_ACCOUNT_IP_LIMIT", 10)
GONGJIAN_LOGIN_WINDOW_MINUTES = env_int("GONGJIAN_LOGIN_WINDOW_MINUTES", 30)
GONGJIAN_LOGIN_LOCK_MINUTES = env_int("GONGJIAN_LOGIN_LOCK_MINUTES", 30)
if (
    min(
        GONGJIAN_PASSWORD_MAX_AGE_DAYS + 1,
        GONGJIAN_LOGIN_PAIR_LIMIT,
        GONGJIAN_LOGIN_IP_LIMIT,
        GONGJIAN_LOGIN_ACCOUNT_IP_LIMIT,
        GONGJIAN_LOGIN_WINDOW_MINUTES,
        GONGJIAN_LOGIN_LOCK_MINUTES,
    )
    < 1
):
    raise ImproperlyConfigured("GONGJIAN_LOGIN_* must be >= 1 / 登录限制参数须至少为 1")
# Second factor mandatory for city_admin and city_reviewer: on in production, off in demo and tests.
GONGJIAN_REQUIRE_TOTP = env_bool("GONGJIAN_REQUIRE_TOTP", default=IS_PRODUCTION)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Chinese first; English is the one other language.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "gongjian" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Production serves the files `gongjian collectstatic` (run by `gongjian upgrade`) writes under
# content-hashed names, so nginx can let browsers cache them for a year; the manifest maps each
# name to its hashed one. The demo (DEBUG) and the tests serve them as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))

# Sessions (MLPS 2.0 level 3, OWASP ASVS V3): signed out after GONGJIAN_SESSION_IDLE_MINUTES
# without a request and GONGJIAN_SESSION_MAX_HOURS after sign-in (gongjian.accounts.sessions).
SESSION_IDLE_TIMEOUT = env_int("GONGJIAN_SESSION_IDLE_MINUTES", 30) * 60
SESSION_ABSOLUTE_TIMEOUT = env_int("GONGJIAN_SESSION_MAX_HOURS", 12) * 3600
if not 0 < SESSION_IDLE_TIMEOUT <= SESSION_ABSOLUTE_TIMEOUT:
    raise ImproperlyConfigured(
        "GONGJIAN_SESSION_IDLE_MINUTES must be >= 1 and within GONGJIAN_SESSION_MAX_HOURS / "
        "会话空闲时限须至少 1 分钟且不超过会话最长时限"
    )
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=IS_PRODUCTION)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=IS_PRODUCTION)
CSRF_COOKIE_SAMESITE = "Lax"
# HTTPS only in production; the demo and the tests run over plain http. Behind a reverse proxy that
# terminates TLS, set GONGJIAN_TRUST_X_FORWARDED_PROTO=1 (and make the proxy overwrite the header).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=IS_PRODUCTION)
if env_bool("GONGJIAN_TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind that proxy the client's address is the last one in X-Forwarded-For, which the proxy must
# overwrite (gongjian.core.middleware.ForwardedClientMiddleware); never set it without a proxy.
TRUST_X_FORWARDED_FOR = env_bool("GONGJIAN_TRUST_X_FORWARDED_FOR", default=False)
# Content-Security-Policy of every response (gongjian.core.middleware); empty turns it off.
CONTENT_SECURITY_POLICY = env_str(
    "GONGJIAN_CSP",
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if IS_PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=IS_PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=IS_PRODUCTION)

# Background jobs live in the database (no broker); `gongjian db_worker` runs them.
# A deployment without a worker sets GONGJIAN_TASKS_INLINE=1: jobs then run in the request that
# queues them (django-tasks' immediate backend), so nothing waits in a queue no one reads.
TASKS_INLINE = env_bool("GONGJIAN_TASKS_INLINE", default=False)
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if TASKS_INLINE
        else "django_tasks_db.DatabaseBackend"
    }
}
# An Excel import of more rows than this runs as a background task, with a progress bar.
REPORT_IMPORT_BACKGROUND_ROWS = env_int("GONGJIAN_IMPORT_BACKGROUND_ROWS", 200)
if REPORT_IMPORT_BACKGROUND_ROWS < 0:
    raise ImproperlyConfigured("GONGJIAN_IMPORT_BACKGROUND_ROWS must be >= 0 / 不能为负数")

PAGE_SIZE = env_int("GONGJIAN_PAGE_SIZE", 50)
# The business date the platform works on (deadlines, 序时进度, reminders). Unset in production:
# today in Asia/Shanghai. The demo pins it inside the 2022 campaign.
_business_date = env_str("GONGJIAN_TODAY", "")
try:
    BUSINESS_DATE = dt.date.fromisoformat(_business_date) if _business_date else None
except ValueError:
    raise ImproperlyConfigured(
        f"GONGJIAN_TODAY={_business_date!r} is not a date YYYY-MM-DD / GONGJIAN_TODAY 不是日期"
    ) from None

# Largest site photo a report accepts.
REPORT_PHOTO_MAX_BYTES = env_int("GONGJIAN_REPORT_PHOTO_MAX_MB", 10) * 1024 * 1024

# Monthly reports are due on this day of the following month.
REPORT_DUE_DAY = env_int("GONGJIAN_REPORT_DUE_DAY", 5)
if not 1 <= REPORT_DUE_DAY <= 28:
    raise ImproperlyConfigured("GONGJIAN_REPORT_DUE_DAY must be 1-28 / 截止日须在 1-28 之间")

# Notifications go out by e-mail (Django's mail backend) and SMS (a pluggable sender). The demo
# prints e-mail to the console and tests keep it in memory; production sends through SMTP.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    {
        "production": "django.core.mail.backends.smtp.EmailBackend",
        "demo": "django.core.mail.backends.console.EmailBackend",
        "test": "django.core.mail.backends.locmem.EmailBackend",
    }[GONGJIAN_ENV],
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "攻坚 <gongjian@localhost>")
# Links in e-mail are made absolute with this (e.g. https://gongjian.example.gov.cn).
SITE_URL = env_str("GONGJIAN_SITE_URL", "" if IS_PRODUCTION else "http://127.0.0.1:8000").rstrip(
    "/"
)
# The SMS sender: a class with send(phone, text). The default only logs (no gateway yet).
GONGJIAN_SMS_BACKEND = env_str(
    "GONGJIAN_SMS_BACKEND", "gongjian.notifications.sms.LoggingSmsBackend"
)

# Investment leads (gongjian.investment). Mobile numbers are encrypted at rest with this Fernet
# key; production has none by default and refuses to start without it (system check
# investment.E001). A bad key fails here, loudly.
_DEMO_PII_KEY = "e3Arz_athB2-IY1eD_xjKap7w8UaF8NgFR3zbsJ9pgY="  # public on purpose: demo, tests
PII_KEY = env_str("GONGJIAN_PII_KEY", "" if IS_PRODUCTION else _DEMO_PII_KEY)
if PII_KEY:
    from gongjian.investment.crypto import pii_key_problem

    if (_pii_problem := pii_key_problem(PII_KEY)) is not None:
        raise ImproperlyConfigured(_pii_problem)
if IS_PRODUCTION:
    # A key anyone can read in the repository is no secret (issue 14.10): refuse to start.
    from gongjian.core.keys import PUBLIC_PII_KEYS, PUBLIC_SECRET_KEYS, public_key_problem

    for _name, _secret, _known in (
        ("SECRET_KEY", SECRET_KEY, PUBLIC_SECRET_KEYS),
        ("GONGJIAN_PII_KEY", PII_KEY, PUBLIC_PII_KEYS),
    ):
        if (
            _problem := public_key_problem(_name, _secret, known=_known, root=BASE_DIR)
        ) is not None:
            raise ImproperlyConfigured(_problem)
# Closed leads (landed, lost, spam) are anonymised by `gongjian purge-leads` after this many days.
LEAD_RETENTION_DAYS = env_int("GONGJIAN_LEAD_RETENTION_DAYS", 730)
if LEAD_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("GONGJIAN_LEAD_RETENTION_DAYS must be >= 1 / 须至少为 1 天")
# The public lead form accepts at most this many submissions per client address per hour.
LEAD_RATE_LIMIT_PER_HOUR = env_int("GONGJIAN_LEAD_RATE_LIMIT", 5)
if LEAD_RATE_LIMIT_PER_HOUR < 1:
    raise ImproperlyConfigured("GONGJIAN_LEAD_RATE_LIMIT must be >= 1 / 须至少为 1")
# The department new leads from the public form go to first (市招商局).
LEAD_INTAKE_DEPARTMENT = env_str("GONGJIAN_LEAD_INTAKE_DEPARTMENT", "zsj")

# Everything goes to standard error once, through the root logger (systemd's journal adds the time
# in production). Django's own "django" logger keeps its console handler when DEBUG is on and
# would print each line a second time beside the root's, so it only propagates here; its
# "django.server" logger (runserver's request lines) keeps its own format and does not propagate.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(levelname)s %(name)s: %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
