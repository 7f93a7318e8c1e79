from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import BaseModel

from .kinds import REMINDER_WINDOW_MAX_DAYS, REMINDER_WINDOW_MIN_DAYS, Kind


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A user's own notifications: nobody else's exist for them, so those are a 404."""
        return self.filter(user=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(BaseModel):
    """Something a user is told in the app. Written by `services.notify` (which honours their
    preferences) or by the user over the API."""

    # The list indexes lead with user, so the foreign key needs no index of its own.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    # A path in this site ("/dashboard/...") or an absolute http(s) URL.
    link = models.CharField(max_length=500, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The caller's idempotency key: the same key tells the same user once (a job run twice,
    # two workers racing). Empty for notifications that need none.
    key = models.CharField(max_length=150, blank=True, default="")

    objects = NotificationQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_recent"),
            models.Index(
                fields=["user", "-created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_user_unread",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"],
                condition=~Q(key=""),
                name="notification_user_key_unique",
            )
        ]

    def __str__(self):
        return self.title


class NotificationPreference(BaseModel):
    """A user's choices, where they differ from the declared defaults (`kinds.KINDS`).

    `choices` holds only what the user chose, `{kind: {channel: bool}}`, so a changed default
    reaches everyone who has not chosen otherwise; no row means every default.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    choices = models.JSONField(default=dict, blank=True)
    # Null: settings.REMINDER_DEFAULT_WINDOW_DAYS, read when the reminder job runs.
    reminder_window_days = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(reminder_window_days__isnull=True)
                | Q(
                    reminder_window_days__gte=REMINDER_WINDOW_MIN_DAYS,
                    reminder_window_days__lte=REMINDER_WINDOW_MAX_DAYS,
                ),
                name="notificationpreference_window_in_range",
            )
        ]

    def __str__(self):
        return f"Notification preferences of {self.user_id}"


class EmailDelivery(BaseModel):
    """One email owed to someone, rendered when it was queued.

    The unique key is written in the caller's transaction, so the same email is queued once;
    the sending task claims the row (pending → sent) before it sends, so a task delivered twice
    sends once. A send that fails with a provider or network error gives the claim back for
    the retry; after `emails.MAX_ATTEMPTS` the row is failed and staff can requeue it.
    """

    class Status(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        FAILED = "failed"

    key = models.CharField(max_length=200, unique=True)
    # Null for someone without an account yet (an invite to a new address).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    to = models.EmailField()
    kind = models.CharField(max_length=32, blank=True)
    template = models.CharField(max_length=64)
    subject = models.CharField(max_length=255)
    text_body = models.TextField()
    html_body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "email deliveries"
        indexes = [
            # The sweep that requeues emails a lost task left pending.
            models.Index(
                fields=["created_at"],
                condition=Q(status="pending"),
                name="emaildelivery_pending",
            )
        ]

    def __str__(self):
        return f"{self.template} to {self.to}"
