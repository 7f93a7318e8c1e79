"""Writes: telling people things (`notify`), their notifications and their preferences.

Notifications are a user's own, not workspace data: no activity events.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import status

from apps.core.errors import ApplicationError, ErrorCode

from . import emails, selectors
from .kinds import KINDS, Channel, Kind
from .models import Notification, NotificationPreference
from .realtime import NOTIFICATION_NEW, publish_on_commit, user_group
from .representations import notification_data

# `update_preferences` leaves the reminder window alone unless it is passed.
UNSET: Any = object()


def _store(
    *, user, kind: str, title: str, body: str, data: dict, link: str, key: str | None
) -> Notification | None:
    """Insert the row and publish it after commit; None if `key` told this user already."""
    fields = {
        "user": user,
        "kind": kind,
        "title": title[:200],
        "body": body,
        "data": data,
        "link": link,
        "key": key or "",
    }
    if not key:
        notification = Notification.objects.create(**fields)
    else:
        try:
            # A savepoint, so a duplicate leaves the caller's transaction usable.
            with transaction.atomic():
                notification = Notification.objects.create(**fields)
        except IntegrityError:
            if Notification.objects.filter(user=user, key=key).exists():
                return None
            raise
    publish_on_commit(
        group=user_group(user.pk), event=NOTIFICATION_NEW, data=notification_data(notification)
    )
    return notification


@transaction.atomic
def notify(
    *,
    user,
    kind: str,
    title: str,
    body: str = "",
    data: dict | None = None,
    link: str = "",
    email_template: str | None = None,
    context: dict | None = None,
    key: str | None = None,
    preferences: selectors.Preferences | None = None,
) -> Notification | None:
    """Tell a user something, on the channels they want for this kind.

    - In the app (if on): the row is written in the caller's transaction and `notification:new`
      reaches their sockets after it commits.
    - By email (if on, and only when `email_template` names a template in
      `emails.TEMPLATES`): rendered now with `context`, sent by a Celery task after commit.
    - `key` makes the call idempotent per user: a second call with the same key (a job run
      twice, two workers racing) does nothing.
    - `preferences` lets a job that notifies many users load them in one query
      (`selectors.preferences_for_users`).

    Answers the notification, or None when the in-app channel is off or `key` was used.
    """
    if kind not in KINDS:
        raise ValueError(f"Not a declared notification kind: {kind}")
    data = data or {}
    prefs = preferences or selectors.preferences_for(user)
    notification = None
    if prefs.wants(kind, Channel.IN_APP):
        notification = _store(
            user=user, kind=kind, title=title, body=body, data=data, link=link, key=key
        )
        if notification is None:
            return None
    if email_template and prefs.wants(kind, Channel.EMAIL) and user.is_active and user.email:
        if key:
            email_key = emails.user_key(user.pk, key)
        elif notification is not None:
            email_key = f"notification:{notification.pk}"
        else:
            email_key = None
        emails.queue_email(
            to=user.email,
            user=user,
            kind=kind,
            subject=title,
            template=email_template,
            key=email_key,
            context={
                "user": user,
                "kind": kind,
                "title": title,
                "body": body,
                "link": emails.absolute_url(link) if link else "",
                "data": data,
                "notification": notification,
                **(context or {}),
            },
        )
    return notification


def send_welcome(*, user) -> Notification | None:
    """The welcome notification and email, once per user however often it is called."""
    return notify(
        user=user,
        kind=Kind.SYSTEM,
        title=f"Welcome to {settings.APP_NAME}",
        body="Your personal workspace is ready: add a client, start a project, invite your team.",
        link="/dashboard/",
        email_template="welcome",
        key="welcome",
    )


@transaction.atomic
def create_notification(
    *,
    actor,
    title: str,
    kind: str = Kind.SYSTEM,
    body: str = "",
    data: dict | None = None,
    link: str = "",
    user_id=None,
) -> Notification:
    """A notification made over the API: for yourself, or by staff for anyone.

    Stored whatever the recipient's preferences say (they govern what the platform raises on
    its own), and in the app only: an API call never sends email.
    """
    recipient = actor
    if user_id is not None and str(user_id) != str(actor.pk):
        if not actor.is_staff:
            raise ApplicationError(
                "Only staff may notify someone else.",
                code=ErrorCode.FORBIDDEN,
                status_code=status.HTTP_403_FORBIDDEN,
            )
        recipient = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        if recipient is None:
            message = "No active user has this id."
            raise ApplicationError(message, details=[{"field": "userId", "message": message}])
    return _store(
        user=recipient, kind=kind, title=title, body=body, data=data or {}, link=link, key=None
    )


def mark_read(*, notification: Notification) -> Notification:
    """Idempotent: a notification read before keeps when it was first read."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification


def mark_all_read(*, user, before: datetime | None = None, kind: str | None = None) -> int:
    """Mark the user's unread notifications read; `before` limits it to those created up to
    then (what the client had shown), so one that arrived meanwhile stays unread."""
    now = timezone.now()
    return selectors.unread_before(user, before=before, kind=kind).update(
        read_at=now, updated_at=now
    )


def delete_notification(*, notification: Notification) -> None:
    notification.delete()


@transaction.atomic
def update_preferences(
    *, user, kinds: dict[str, dict[str, bool | None]] | None = None, reminder_window_days=UNSET
) -> selectors.Preferences:
    """Apply validated choices: `{kind: {channel: true|false|null}}` (null returns a channel
    to its default) and the reminder window (null returns it to the default)."""
    unknown = set(kinds or {}) - set(KINDS)
    if unknown:
        raise ValueError(f"Not declared notification kinds: {sorted(unknown)}")
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    choices = {
        kind: dict(channels)
        for kind, channels in (preference.choices or {}).items()
        if kind in KINDS and isinstance(channels, dict)
    }
    for kind, channels in (kinds or {}).items():
        chosen = choices.setdefault(kind, {})
        for channel, value in channels.items():
            if channel not in Channel.values:
                raise ValueError(f"Not a notification channel: {channel}")
            if value is None:
                chosen.pop(channel, None)
            else:
                chosen[channel] = value
    preference.choices = {kind: chosen for kind, chosen in choices.items() if chosen}
    fields = ["choices", "updated_at"]
    if reminder_window_days is not UNSET:
        preference.reminder_window_days = reminder_window_days
        fields.append("reminder_window_days")
    preference.save(update_fields=fields)
    return selectors.preferences_for(user)
