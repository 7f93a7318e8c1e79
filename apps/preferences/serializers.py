"""Shapes of the settings endpoints, built from the declarations so the schema names every key."""

from rest_framework import serializers

from apps.core.renderers import camel_key

from .registry import APP_SETTINGS, USER_PREFERENCES


def _serializer(name: str, doc: str, fields: dict, base=serializers.Serializer):
    # Through the metaclass, so the fields are declared as if written in a class body.
    return type(base)(name, (base,), {"__module__": __name__, "__doc__": doc, **fields})


class _RejectsUnknownKeys(serializers.Serializer):
    def to_internal_value(self, data):
        known = ", ".join(camel_key(name) for name in self.fields)
        errors = {
            key: [f"Not a setting. Known settings: {known}."]
            for key in data
            if key not in self.fields
        }
        try:
            values = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({**errors, **exc.detail}) from None
        if errors:
            raise serializers.ValidationError(errors)
        return values


UserSettingsSerializer = _serializer(
    "UserSettingsSerializer",
    "Every declared preference with its value, defaults filled in.",
    {name: setting.api_field(read_only=True) for name, setting in USER_PREFERENCES.items()},
)

UserSettingsUpdateSerializer = _serializer(
    "UserSettingsUpdateSerializer",
    "Any subset of the preferences. null resets a key to its default; an unknown key is a 400.",
    {
        name: setting.api_field(required=False, allow_null=True)
        for name, setting in USER_PREFERENCES.items()
    },
    base=_RejectsUnknownKeys,
)

PublicAppSettingsSerializer = _serializer(
    "PublicAppSettingsSerializer",
    "The application settings every signed-in user may read.",
    {
        name: setting.api_field(read_only=True)
        for name, setting in APP_SETTINGS.items()
        if setting.public
    },
)
