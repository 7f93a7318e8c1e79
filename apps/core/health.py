"""Readiness checks: each answers (ok, detail) and never raises."""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, connection.vendor
    except Exception as exc:  # noqa: BLE001 - a probe reports every failure
        return False, type(exc).__name__


def check_cache() -> tuple[bool, str]:
    key = "health:probe"
    try:
        stamp = str(time.time())
        cache.set(key, stamp, 10)
        ok = cache.get(key) == stamp
        return ok, "ok" if ok else "read back a different value"
    except Exception as exc:  # noqa: BLE001
        return False, type(exc).__name__


def check_broker() -> tuple[bool, str] | None:
    """None when tasks run eagerly and there is no broker to check."""
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.CELERY_BROKER_URL:
        return None
    from config.celery import app

    try:
        with app.connection_for_read() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True, "ok"
    except Exception as exc:  # noqa: BLE001
        return False, type(exc).__name__


def readiness() -> tuple[bool, dict]:
    checks = {"database": check_database(), "cache": check_cache()}
    broker = check_broker()
    if broker is not None:
        checks["broker"] = broker
    report = {name: {"ok": ok, "detail": detail} for name, (ok, detail) in checks.items()}
    return all(ok for ok, _ in checks.values()), report
