from rest_framework import serializers

from apps.core.fields import StrictCharField, StrictEmailField

from .roles import Role


class TeamInputSerializer(serializers.Serializer):
    name = StrictCharField(max_length=120)


class MemberRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class InviteInputSerializer(serializers.Serializer):
    email = StrictEmailField()
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER)


class TransferOwnershipSerializer(serializers.Serializer):
    user_id = serializers.UUIDField()


class InviteTokenSerializer(serializers.Serializer):
    token = StrictCharField(max_length=500)


# --- Output -----------------------------------------------------------------------------------


class MemberUserSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    email = serializers.EmailField()
    username = serializers.CharField()
    initials = serializers.CharField()
    avatar_color = serializers.CharField()


class MemberSerializer(serializers.Serializer):
    user = MemberUserSerializer()
    role = serializers.ChoiceField(choices=Role.choices)
    joined_at = serializers.DateTimeField(source="created_at")


class TeamSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    personal = serializers.BooleanField(source="is_personal")
    role = serializers.CharField(help_text="Your role in this workspace.")
    member_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class TeamDetailSerializer(TeamSerializer):
    members = MemberSerializer(many=True)


class WorkspaceRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class InviterSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class InviteSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    workspace = WorkspaceRefSerializer()
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)
    status = serializers.CharField(source="effective_status")
    invited_by = InviterSerializer(allow_null=True)
    expires_at = serializers.DateTimeField()
    last_sent_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
