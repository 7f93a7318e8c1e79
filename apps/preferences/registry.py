"""The declared settings: every user preference and every application setting, with its type,
default and validation. Nothing undeclared is accepted or read back; the API, its schema, the
admin form and the selectors are all built from these declarations.

To add a setting, declare it here. A new user preference needs no migration; a `user_field`
one is kept on the User row (apps.accounts) rather than as a `UserPreference`.
"""

import zoneinfo
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

from apps.accounts.models import User
from apps.core.errors import ApplicationError
from apps.core.fields import StrictCharField, StrictEmailField
from apps.core.renderers import camel_key

# Present in most zoneinfo directories, but system files rather than IANA zone names.
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@cache
def _zone_names() -> frozenset[str]:
    # available_timezones() walks the zoneinfo directories: once per process is enough.
    return frozenset(zoneinfo.available_timezones()) - _NOT_ZONES


def validate_timezone(value: str) -> None:
    if value not in _zone_names():
        raise ValidationError(f"Unknown time zone: {value}. Use an IANA name like Europe/Paris.")


class StrictIntegerField(serializers.IntegerField):
    """An IntegerField that refuses "20", 20.0 and true instead of converting them."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A BooleanField that takes JSON true and false only, not "yes", 1 or "on"."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class Kind(StrEnum):
    CHOICE = "choice"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    TEXT = "text"
    EMAIL = "email"
    TIMEZONE = "timezone"


@dataclass(frozen=True)
class Setting:
    name: str
    kind: Kind
    default: Any
    help_text: str
    # Values, or (value, label) pairs; pairs let a setting share a model's TextChoices.
    choices: tuple = ()
    min_value: int | None = None
    max_value: int | None = None
    max_length: int | None = None
    # Kept in this column of the User row, which other apps already read, instead of a
    # UserPreference row.
    user_field: str | None = None
    # The application setting whose value a reset (null) takes instead of `default`.
    default_from: str | None = None
    # Application settings only: shown to every signed-in user at GET settings/app.
    public: bool = False

    def api_field(self, **kwargs) -> serializers.Field:
        kwargs.setdefault("help_text", self.help_text)
        if self.default is None:
            kwargs.setdefault("allow_null", True)
        if self.kind == Kind.CHOICE:
            return serializers.ChoiceField(choices=self.choices, **kwargs)
        if self.kind == Kind.INTEGER:
            return StrictIntegerField(min_value=self.min_value, max_value=self.max_value, **kwargs)
        if self.kind == Kind.BOOLEAN:
            return StrictBooleanField(**kwargs)
        if self.kind == Kind.EMAIL:
            return StrictEmailField(max_length=254, **kwargs)
        if self.kind == Kind.TIMEZONE:
            return StrictCharField(max_length=64, validators=[validate_timezone], **kwargs)
        return StrictCharField(max_length=self.max_length, allow_blank=True, **kwargs)

    def form_field(self, **kwargs) -> forms.Field:
        """The admin's field for this setting, with the widget its type calls for."""
        kwargs.setdefault("help_text", self.help_text)
        if self.kind == Kind.CHOICE:
            choices = [(c, c) if isinstance(c, str) else c for c in self.choices]
            return forms.ChoiceField(choices=choices, **kwargs)
        if self.kind == Kind.INTEGER:
            return forms.IntegerField(min_value=self.min_value, max_value=self.max_value, **kwargs)
        if self.kind == Kind.BOOLEAN:
            return forms.BooleanField(required=False, **kwargs)
        if self.kind == Kind.EMAIL:
            return forms.EmailField(**kwargs)
        if self.kind == Kind.TIMEZONE:
            return forms.CharField(max_length=64, validators=[validate_timezone], **kwargs)
        return forms.CharField(
            required=False,
            max_length=self.max_length,
            widget=forms.Textarea(attrs={"rows": 3}),
            **kwargs,
        )

    def clean(self, value: Any) -> Any:
        """The value as it is stored, or ApplicationError naming this setting."""
        try:
            return self.api_field().run_validation(value)
        except serializers.ValidationError as exc:
            message = str(exc.detail[0]) if isinstance(exc.detail, list) else str(exc.detail)
            raise ApplicationError(
                message, details=[{"field": camel_key(self.name), "message": message}]
            ) from None

    def accepts(self, value: Any) -> bool:
        """Whether a stored value still passes; a narrowed declaration falls back to default."""
        try:
            self.clean(value)
        except ApplicationError:
            return False
        return True


def _by_name(*declared: Setting) -> dict[str, Setting]:
    return {setting.name: setting for setting in declared}


LOCALES = ("en", "fr", "de", "es", "pt")

USER_PREFERENCES: dict[str, Setting] = _by_name(
    Setting(
        "theme",
        Kind.CHOICE,
        default=User.Theme.SYSTEM.value,
        choices=tuple(User.Theme.choices),
        help_text="Colour scheme of the apps.",
        user_field="theme",
    ),
    Setting(
        "locale",
        Kind.CHOICE,
        default="en",
        choices=LOCALES,
        help_text="Language of the interface and of the emails we send you.",
        user_field="locale",
    ),
    Setting(
        "timezone",
        Kind.TIMEZONE,
        default="UTC",
        help_text="IANA time zone, like Europe/Paris. Dates, reminders and the weekly summary "
        "follow it. A reset takes the application's default time zone.",
        user_field="timezone",
        default_from="default_timezone",
    ),
    Setting(
        "date_format",
        Kind.CHOICE,
        default="YYYY-MM-DD",
        choices=("YYYY-MM-DD", "DD/MM/YYYY", "MM/DD/YYYY", "DD.MM.YYYY"),
        help_text="How dates are written.",
    ),
    Setting(
        "week_starts_on",
        Kind.CHOICE,
        default="monday",
        choices=("monday", "sunday"),
        help_text="First day of the week in calendars and weekly reports.",
    ),
    Setting(
        "items_per_page",
        Kind.INTEGER,
        default=20,
        min_value=10,
        max_value=100,
        help_text="Rows per page in lists, 10 to 100.",
    ),
    Setting(
        "email_product_updates",
        Kind.BOOLEAN,
        default=False,
        help_text="Receive occasional emails about new features.",
    ),
)

APP_SETTINGS: dict[str, Setting] = _by_name(
    Setting(
        "support_email",
        Kind.EMAIL,
        default=None,
        help_text="Where users write for help; null when not set.",
        public=True,
    ),
    Setting(
        "maintenance_banner",
        Kind.TEXT,
        default="",
        max_length=500,
        help_text="Plain text shown at the top of every dashboard page and to API clients; "
        "empty shows nothing.",
        public=True,
    ),
    Setting(
        "default_timezone",
        Kind.TIMEZONE,
        default="UTC",
        help_text="IANA time zone a user's timezone returns to when they reset it.",
        public=True,
    ),
)
