from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers and booleans instead of quietly turning them into text."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictEmailField(serializers.EmailField):
    default_error_messages = {"invalid": "Enter a valid email address."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data).strip().lower()


class CommaSeparatedChoiceField(serializers.CharField):
    """`?status=active,paused` → `["active", "paused"]`; an unknown value is a 400."""

    def __init__(self, *, choices, **kwargs):
        self.allowed = list(choices)
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault(
            "help_text", f"One or more of {', '.join(self.allowed)}, comma-separated."
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        items = [item.strip() for item in super().to_internal_value(data).split(",")]
        items = [item for item in items if item]
        unknown = [item for item in items if item not in self.allowed]
        if unknown:
            raise serializers.ValidationError(
                f"Unknown value {unknown[0]!r}; one of: {', '.join(self.allowed)}."
            )
        return items


class OrderingField(serializers.ChoiceField):
    """`?ordering=-createdAt` (camelCase at the edge) → `"-created_at"`."""

    def __init__(self, *, orderings, default, **kwargs):
        from .renderers import camel_key

        super().__init__(choices=[camel_key(key) for key in orderings], default=default, **kwargs)

    def to_internal_value(self, data):
        from .renderers import snake_key

        return snake_key(super().to_internal_value(data))

    def get_default(self):
        from .renderers import snake_key

        return snake_key(super().get_default())
