"""What a notification can be about, and the channels it reaches people through.

Declared once: the model's choices, `notify`, the preferences API and its schema, and the admin
all read these. A new kind is a line in `KINDS` (and a migration for the model's choices); every
user gets its defaults until they choose otherwise.
"""

from dataclasses import dataclass

from django.db import models


class Channel(models.TextChoices):
    IN_APP = "in_app", "In the app"
    EMAIL = "email", "Email"


class Kind(models.TextChoices):
    INVITE = "invite", "Workspace invitations"
    DEADLINE_REMINDER = "deadline_reminder", "Deadline reminders"
    WEEKLY_SUMMARY = "weekly_summary", "Weekly summary"
    PAYMENT_FAILED = "payment_failed", "Failed payments"
    MENTION = "mention", "Mentions"
    SYSTEM = "system", "Account and service messages"


@dataclass(frozen=True)
class KindSpec:
    kind: Kind
    help_text: str
    in_app: bool
    email: bool

    def default(self, channel: str) -> bool:
        return {Channel.IN_APP: self.in_app, Channel.EMAIL: self.email}[channel]


KINDS: dict[str, KindSpec] = {
    spec.kind.value: spec
    for spec in (
        KindSpec(
            Kind.INVITE,
            "Someone invited you to a workspace.",
            in_app=True,
            email=True,
        ),
        KindSpec(
            Kind.DEADLINE_REMINDER,
            "A milestone or project is due within your reminder window.",
            in_app=True,
            email=True,
        ),
        KindSpec(
            Kind.WEEKLY_SUMMARY,
            "Monday morning's summary of your week's work.",
            in_app=False,
            email=True,
        ),
        KindSpec(
            Kind.PAYMENT_FAILED,
            "A payment for a workspace you own failed.",
            in_app=True,
            email=True,
        ),
        KindSpec(
            Kind.MENTION,
            "Someone mentioned you.",
            in_app=True,
            email=False,
        ),
        KindSpec(
            Kind.SYSTEM,
            "Messages about your account and the service (welcome, announcements).",
            in_app=True,
            email=True,
        ),
    )
}

# Days before a due date that deadline reminders may start; the default is
# settings.REMINDER_DEFAULT_WINDOW_DAYS.
REMINDER_WINDOW_MIN_DAYS = 1
REMINDER_WINDOW_MAX_DAYS = 14
