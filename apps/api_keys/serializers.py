"""Input validation for API keys, and the shapes the endpoints answer."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.fields import StrictCharField

from .models import ApiKey
from .scopes import SCOPES


@extend_schema_field(
    {"type": "array", "items": {"type": "string", "enum": list(SCOPES)}, "minItems": 1}
)
class ScopeListField(serializers.ListField):
    """`["clients:read", ...]`. Which scopes exist is the service's rule; the schema lists them."""

    child = StrictCharField(max_length=50)


class ApiKeyInputSerializer(serializers.Serializer):
    name = StrictCharField(max_length=100)
    scopes = ScopeListField(allow_empty=False, max_length=len(SCOPES) * 2)
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Optional; must be in the future."
    )


class ApiKeyCreatorSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class ApiKeySerializer(serializers.Serializer):
    """A key as lists show it: the prefix, never the secret or its hash."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The key starts with `pk_<prefix>_`.")
    scopes = serializers.ListField(child=serializers.CharField())
    status = serializers.ChoiceField(choices=ApiKey.Status.choices)
    expires_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(
        allow_null=True, help_text="Refreshed at most once a minute."
    )
    revoked_at = serializers.DateTimeField(allow_null=True)
    rotated_from_id = serializers.UUIDField(allow_null=True)
    created_by = ApiKeyCreatorSerializer()
    created_at = serializers.DateTimeField()


class ApiKeyIssuedSerializer(ApiKeySerializer):
    # A plain string here: a new key is always active, and one component holding the status
    # enum lets the schema name it ApiKeyStatusEnum instead of a hashed collision name.
    status = serializers.CharField(help_text="`active`: a new key is always active.")
    key = serializers.CharField(
        help_text="The full key, `pk_<prefix>_<secret>`. Shown in this answer only: store it now."
    )


def issued_data(api_key: ApiKey, text: str) -> dict:
    return {**ApiKeySerializer(api_key).data, "key": text}
