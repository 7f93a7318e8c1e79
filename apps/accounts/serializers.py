from rest_framework import serializers

from apps.core.fields import StrictCharField, StrictEmailField

from .models import LoginSession, User, username_validator

# --- Output -------------------------------------------------------------------------------


class PublicUserSerializer(serializers.ModelSerializer):
    """What anyone signed in may see of another user: never their email or phone."""

    avatar_url = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = [
            "id",
            "name",
            "username",
            "initials",
            "avatar_color",
            "avatar_url",
            "bio",
            "is_online",
            "last_active",
        ]
        read_only_fields = fields


class UserSerializer(PublicUserSerializer):
    """The signed-in user's own profile: the public one plus private fields and settings."""

    role = serializers.CharField(read_only=True)

    class Meta(PublicUserSerializer.Meta):
        fields = [
            *PublicUserSerializer.Meta.fields,
            "email",
            "phone",
            "role",
            "timezone",
            "locale",
            "theme",
            "created_at",
        ]
        read_only_fields = fields


class AuthResultSerializer(serializers.Serializer):
    user = UserSerializer()
    access_token = serializers.CharField()
    refresh_token = serializers.CharField()
    access_token_expires_at = serializers.DateTimeField()


class LoginSessionSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField()

    class Meta:
        model = LoginSession
        fields = [
            "id",
            "device",
            "user_agent",
            "ip_address",
            "created_at",
            "last_used_at",
            "current",
        ]
        read_only_fields = fields

    def get_current(self, session) -> bool:
        current = self.context.get("current_session_id")
        return current is not None and session.pk == current


class AvatarSerializer(serializers.Serializer):
    avatar_url = serializers.CharField()


# --- Input --------------------------------------------------------------------------------


class SignupSerializer(serializers.Serializer):
    email = StrictEmailField(max_length=254)
    password = StrictCharField(max_length=128, trim_whitespace=False)
    name = StrictCharField(max_length=100, required=False, allow_blank=True, default="")


class LoginSerializer(serializers.Serializer):
    email = StrictEmailField(max_length=254)
    password = StrictCharField(max_length=128, trim_whitespace=False)


class RefreshSerializer(serializers.Serializer):
    refresh_token = StrictCharField(required=False, max_length=2000)


class GoogleSignInSerializer(serializers.Serializer):
    id_token = StrictCharField(max_length=4096)


class ProfileUpdateSerializer(serializers.Serializer):
    name = StrictCharField(max_length=100, required=False)
    username = StrictCharField(
        max_length=30, required=False, validators=[username_validator], trim_whitespace=True
    )
    bio = StrictCharField(max_length=500, required=False, allow_blank=True)
    phone = StrictCharField(max_length=20, required=False, allow_blank=True)
    # Convo's clients call it phoneNumber; both names reach the same field.
    phone_number = StrictCharField(max_length=20, required=False, allow_blank=True, write_only=True)

    def validate(self, attrs):
        if "phone_number" in attrs:
            attrs["phone"] = attrs.pop("phone_number")
        if not attrs:
            raise serializers.ValidationError("Send at least one field to change.")
        return attrs


class SettingsUpdateSerializer(serializers.Serializer):
    timezone = StrictCharField(max_length=64, required=False)
    locale = serializers.ChoiceField(choices=["en", "fr", "de", "es", "pt"], required=False)
    theme = serializers.ChoiceField(choices=User.Theme.choices, required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError("Send at least one setting to change.")
        return attrs


class AccountDeleteSerializer(serializers.Serializer):
    password = StrictCharField(required=False, trim_whitespace=False, max_length=128)


class AvatarUploadSerializer(serializers.Serializer):
    avatar = serializers.FileField()
