"""Input validation for notifications and preferences, and the shapes of `representations.py`
for the schema. The preference shapes are built from `kinds.KINDS`, so the schema names every
kind and channel."""

from collections.abc import Mapping

import orjson
from rest_framework import serializers

from apps.core.fields import CommaSeparatedChoiceField, StrictCharField
from apps.core.renderers import camel_key
from apps.preferences.registry import StrictBooleanField, StrictIntegerField

from .kinds import KINDS, REMINDER_WINDOW_MAX_DAYS, REMINDER_WINDOW_MIN_DAYS, Kind

DATA_MAX_BYTES = 4096


def _serializer(name: str, doc: str, fields: dict, base=serializers.Serializer):
    # Through the metaclass, so the fields are declared as if written in a class body.
    return type(base)(name, (base,), {"__module__": __name__, "__doc__": doc, **fields})


class _RejectsUnknownKeys(serializers.Serializer):
    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            return super().to_internal_value(data)
        known = ", ".join(camel_key(name) for name in self.fields)
        errors = {key: [f"Unknown key. Known: {known}."] for key in data if key not in self.fields}
        try:
            values = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({**errors, **exc.detail}) from None
        if errors:
            raise serializers.ValidationError(errors)
        return values


# --- Notifications ---------------------------------------------------------------------------


class LinkField(StrictCharField):
    """A path in this site or an absolute http(s) URL; never `javascript:` and the like."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        is_path = value.startswith("/") and not value.startswith("//")
        if value and not is_path and not value.startswith(("https://", "http://")):
            raise serializers.ValidationError("Use a path starting with / or an http(s) URL.")
        return value


class NotificationCreateSerializer(_RejectsUnknownKeys):
    title = StrictCharField(max_length=200)
    body = StrictCharField(max_length=2000, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False, default=Kind.SYSTEM)
    data = serializers.DictField(required=False, help_text="Any JSON object, up to 4 KB.")
    link = LinkField(max_length=500, required=False, allow_blank=True)
    user_id = serializers.UUIDField(
        required=False, help_text="Staff only: whom to notify. Yourself when left out."
    )

    def validate_data(self, value):
        if len(orjson.dumps(value)) > DATA_MAX_BYTES:
            raise serializers.ValidationError(f"Keep data under {DATA_MAX_BYTES} bytes of JSON.")
        return value


class NotificationFilterSerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, help_text="true: unread ones only.")
    kind = CommaSeparatedChoiceField(choices=Kind.values)
    preferences = serializers.BooleanField(
        required=False,
        help_text="Maycole's form: true answers your preferences instead of the list.",
    )


class ReadAllSerializer(_RejectsUnknownKeys):
    before = serializers.DateTimeField(
        required=False,
        help_text="Only those created up to then (the newest one you showed), so one that "
        "arrived meanwhile stays unread.",
    )
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)


class NotificationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    title = serializers.CharField()
    body = serializers.CharField()
    data = serializers.DictField()
    link = serializers.CharField(help_text="A path in this site or an absolute URL; may be empty.")
    read = serializers.BooleanField()
    read_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class ReadAllResultSerializer(serializers.Serializer):
    updated = serializers.IntegerField(help_text="How many were marked read.")
    unread_count = serializers.IntegerField()


# --- Preferences ----------------------------------------------------------------------------


class ChannelsSerializer(serializers.Serializer):
    in_app = serializers.BooleanField()
    email = serializers.BooleanField()


class ChannelChoicesSerializer(_RejectsUnknownKeys):
    in_app = StrictBooleanField(required=False, allow_null=True)
    email = StrictBooleanField(required=False, allow_null=True)


def _kind_help(kind: str) -> str:
    spec = KINDS[kind]
    return (
        f"{spec.kind.label}: {spec.help_text} Defaults: in app {str(spec.in_app).lower()}, "
        f"email {str(spec.email).lower()}."
    )


KindChannelsSerializer = _serializer(
    "KindChannelsSerializer",
    "Every kind, with each channel on or off.",
    {kind: ChannelsSerializer(help_text=_kind_help(kind)) for kind in KINDS},
)

KindChoicesSerializer = _serializer(
    "KindChoicesSerializer",
    "Any subset of the kinds, each with any subset of the channels; null returns a channel "
    "to its default. An unknown kind or channel is a 400.",
    {kind: ChannelChoicesSerializer(required=False, help_text=_kind_help(kind)) for kind in KINDS},
    base=_RejectsUnknownKeys,
)


class PreferencesSerializer(serializers.Serializer):
    kinds = KindChannelsSerializer()
    reminder_window_days = serializers.IntegerField(
        min_value=REMINDER_WINDOW_MIN_DAYS,
        max_value=REMINDER_WINDOW_MAX_DAYS,
        help_text="Days before a due date that deadline reminders start.",
    )


class PreferencesUpdateSerializer(_RejectsUnknownKeys):
    kinds = KindChoicesSerializer(required=False)
    reminder_window_days = StrictIntegerField(
        required=False,
        allow_null=True,
        min_value=REMINDER_WINDOW_MIN_DAYS,
        max_value=REMINDER_WINDOW_MAX_DAYS,
        help_text=f"{REMINDER_WINDOW_MIN_DAYS} to {REMINDER_WINDOW_MAX_DAYS}; null returns it "
        "to the default.",
    )
