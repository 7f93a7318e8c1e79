"""Reads of user preferences and application settings, defaults filled in."""

import logging
from typing import Any

from django.core.cache import cache

from .models import AppSetting, UserPreference
from .registry import APP_SETTINGS, USER_PREFERENCES

logger = logging.getLogger(__name__)

APP_SETTINGS_CACHE_KEY = "preferences:app-settings:v1"
# Saves invalidate the entry at once; the expiry bounds staleness where they cannot reach:
# a local-memory cache in another worker process, or a row changed outside the services.
APP_SETTINGS_CACHE_SECONDS = 300


def preferences_for(user) -> dict[str, Any]:
    """Every declared preference of the user, by key, with the default where none is set."""
    stored = dict(UserPreference.objects.filter(user=user).values_list("key", "value"))
    values = {}
    for name, setting in USER_PREFERENCES.items():
        if setting.user_field:
            values[name] = getattr(user, setting.user_field)
        elif name in stored and setting.accepts(stored[name]):
            values[name] = stored[name]
        else:
            values[name] = setting.default
    return values


def _load_app_settings() -> dict[str, Any]:
    rows = AppSetting.objects.filter(key__in=APP_SETTINGS).values_list("key", "value")
    # Checked once on the way into the cache, so a hit is a plain dictionary lookup.
    return {key: value for key, value in rows if APP_SETTINGS[key].accepts(value)}


def _stored_app_settings() -> dict[str, Any]:
    try:
        stored = cache.get(APP_SETTINGS_CACHE_KEY)
    except Exception:  # noqa: BLE001 - a cache outage must not take every page down
        logger.warning("Cache unavailable; reading application settings from the database")
        return _load_app_settings()
    if stored is None:
        stored = _load_app_settings()
        try:
            cache.set(APP_SETTINGS_CACHE_KEY, stored, APP_SETTINGS_CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("Cache unavailable; application settings not cached")
    return stored


def forget_cached_app_settings() -> None:
    try:
        cache.delete(APP_SETTINGS_CACHE_KEY)
    except Exception:
        logger.exception("Could not invalidate the cached application settings")


def app_setting(key: str) -> Any:
    """An application setting's value, or its declared default. Reads through the cache:
    at most one query per change of any setting, none while cached."""
    setting = APP_SETTINGS[key]
    return _stored_app_settings().get(key, setting.default)


def app_settings() -> dict[str, Any]:
    """Every declared application setting, by key."""
    stored = _stored_app_settings()
    return {key: stored.get(key, setting.default) for key, setting in APP_SETTINGS.items()}


def public_app_settings() -> dict[str, Any]:
    """The application settings any signed-in user may read."""
    return {key: value for key, value in app_settings().items() if APP_SETTINGS[key].public}
