"""Reads: a user's preferences with the defaults filled in, and their notifications."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from .emails import user_key
from .kinds import KINDS, Channel
from .models import EmailDelivery, Notification, NotificationPreference


@dataclass(frozen=True)
class Preferences:
    """Every kind on every channel, the user's choice or the default."""

    channels: dict[str, dict[str, bool]]
    reminder_window_days: int

    def wants(self, kind: str, channel: str) -> bool:
        return self.channels[kind][channel]


def _resolve(choices: dict | None, window: int | None) -> Preferences:
    choices = choices if isinstance(choices, dict) else {}
    channels = {}
    for kind, spec in KINDS.items():
        chosen = choices.get(kind) if isinstance(choices.get(kind), dict) else {}
        channels[kind] = {
            channel: chosen[channel]
            if isinstance(chosen.get(channel), bool)
            else spec.default(channel)
            for channel in Channel.values
        }
    return Preferences(
        channels=channels,
        reminder_window_days=window or settings.REMINDER_DEFAULT_WINDOW_DAYS,
    )


def preferences_for(user) -> Preferences:
    """One query; no row answers every default."""
    row = (
        NotificationPreference.objects.filter(user=user)
        .values("choices", "reminder_window_days")
        .first()
    )
    return _resolve(row and row["choices"], row and row["reminder_window_days"])


def preferences_for_users(user_ids: Iterable) -> dict:
    """user id -> Preferences, in one query, for jobs that notify many people."""
    user_ids = list(user_ids)
    rows = {
        row["user_id"]: row
        for row in NotificationPreference.objects.filter(user_id__in=user_ids).values(
            "user_id", "choices", "reminder_window_days"
        )
    }
    return {
        user_id: _resolve(
            rows.get(user_id, {}).get("choices"), rows.get(user_id, {}).get("reminder_window_days")
        )
        for user_id in user_ids
    }


def with_reminder_window(users: QuerySet) -> QuerySet:
    """Annotate a User queryset with `reminder_window_days`: the user's choice or the default,
    so the deadline-reminder job can filter and join on it in SQL."""
    chosen = NotificationPreference.objects.filter(user=OuterRef("pk")).values(
        "reminder_window_days"
    )[:1]
    return users.annotate(
        reminder_window_days=Coalesce(
            Subquery(chosen, output_field=IntegerField()),
            Value(settings.REMINDER_DEFAULT_WINDOW_DAYS),
        )
    )


def filter_notifications(
    notifications: QuerySet,
    *,
    unread: bool = False,
    kind: list[str] | None = None,
) -> QuerySet:
    if unread:
        notifications = notifications.unread()
    if kind:
        notifications = notifications.filter(kind__in=kind)
    return notifications.order_by("-created_at", "-id")


def notified(user, key: str) -> bool:
    """Whether `notify(user=user, key=key)` told this user already, on either channel (a kind
    whose in-app channel is off leaves only its email)."""
    return (
        Notification.objects.filter(user=user, key=key).exists()
        or EmailDelivery.objects.filter(key=user_key(user.pk, key)).exists()
    )


def unread_count(user) -> int:
    return Notification.objects.visible_to(user).unread().count()


def unread_before(user, *, before: datetime | None = None, kind: str | None = None) -> QuerySet:
    notifications = Notification.objects.visible_to(user).unread()
    if before is not None:
        notifications = notifications.filter(created_at__lte=before)
    if kind:
        notifications = notifications.filter(kind=kind)
    return notifications
