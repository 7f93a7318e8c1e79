"""Writes of user preferences and application settings."""

import logging
from typing import Any

from django.db import transaction

from apps.accounts import services as account_services

from . import selectors
from .models import AppSetting, UserPreference
from .registry import APP_SETTINGS, USER_PREFERENCES

logger = logging.getLogger(__name__)


def _reset_value(name: str) -> Any:
    setting = USER_PREFERENCES[name]
    if setting.default_from:
        return selectors.app_setting(setting.default_from)
    return setting.default


@transaction.atomic
def update_preferences(*, user, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply validated changes (None resets a key to its default); answer every preference."""
    unknown = set(changes) - set(USER_PREFERENCES)
    if unknown:
        raise ValueError(f"Not declared preferences: {sorted(unknown)}")
    on_user_row: dict[str, Any] = {}
    chosen: list[UserPreference] = []
    reset: list[str] = []
    for name, value in changes.items():
        field = USER_PREFERENCES[name].user_field
        if field:
            on_user_row[field] = _reset_value(name) if value is None else value
        elif value is None:
            reset.append(name)
        else:
            chosen.append(UserPreference(user=user, key=name, value=value))
    if on_user_row:
        account_services.update_settings(user=user, **on_user_row)
    if reset:
        UserPreference.objects.filter(user=user, key__in=reset).delete()
    if chosen:
        UserPreference.objects.bulk_create(
            chosen,
            update_conflicts=True,
            unique_fields=["user", "key"],
            update_fields=["value", "updated_at"],
        )
    return selectors.preferences_for(user)


@transaction.atomic
def set_app_setting(*, key: str, value: Any, actor) -> AppSetting:
    """Validate by the declared type (ApplicationError naming the key) and store."""
    if key not in APP_SETTINGS:
        raise ValueError(f"Not a declared application setting: {key}")
    value = APP_SETTINGS[key].clean(value)
    setting, _ = AppSetting.objects.update_or_create(
        key=key, defaults={"value": value, "updated_by": actor}
    )
    # After commit: dropped earlier, a concurrent reader could cache the old row again
    # before this transaction commits.
    transaction.on_commit(selectors.forget_cached_app_settings)
    logger.info("Application setting %s changed by %s", key, getattr(actor, "pk", None))
    return setting


@transaction.atomic
def reset_app_setting(*, setting: AppSetting, actor) -> None:
    """Delete the row, so the declared default applies again."""
    key = setting.key
    setting.delete()
    transaction.on_commit(selectors.forget_cached_app_settings)
    logger.info("Application setting %s reset by %s", key, getattr(actor, "pk", None))
