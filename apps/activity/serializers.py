from rest_framework import serializers

from apps.core.fields import CommaSeparatedChoiceField

from .verbs import Verb


class ActivityFilterSerializer(serializers.Serializer):
    verb = CommaSeparatedChoiceField(
        choices=Verb.values, help_text="One or more verbs, comma-separated."
    )
    actor_id = serializers.UUIDField(required=False)
    target_type = serializers.CharField(required=False, default="", max_length=32, allow_blank=True)
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)


class AuditFilterSerializer(serializers.Serializer):
    """Maycole's names: `actor`, `action`, `resource`, `from`, `to`."""

    actor = serializers.UUIDField(required=False)
    action = CommaSeparatedChoiceField(
        choices=Verb.values, help_text="One or more actions (verbs), comma-separated."
    )
    resource = serializers.CharField(required=False, default="", max_length=32, allow_blank=True)
    to = serializers.DateTimeField(required=False)
    report = serializers.BooleanField(required=False, default=False)
    export = serializers.BooleanField(required=False, default=False)

    def get_fields(self):
        fields = super().get_fields()
        # `from` is a Python keyword, so it cannot be declared as an attribute.
        fields["from"] = serializers.DateTimeField(required=False)
        return fields

    def validate(self, attrs):
        if attrs.get("report") and attrs.get("export"):
            raise serializers.ValidationError("Ask for a report or an export, not both.")
        return attrs


class ActorSerializer(serializers.Serializer):
    id = serializers.UUIDField(allow_null=True)
    label = serializers.CharField()


class TargetSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.UUIDField(allow_null=True)
    label = serializers.CharField()


class ActivityEventSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    seq = serializers.IntegerField()
    verb = serializers.ChoiceField(choices=Verb.choices)
    actor = ActorSerializer()
    target = TargetSerializer()
    client_id = serializers.UUIDField(allow_null=True)
    project_id = serializers.UUIDField(allow_null=True)
    changes = serializers.DictField(help_text="`{field: [before, after]}`")
    created_at = serializers.DateTimeField()


class AuditEventSerializer(ActivityEventSerializer):
    ip_address = serializers.CharField(allow_null=True)
    user_agent = serializers.CharField()
    request_id = serializers.CharField()
    prev_hash = serializers.CharField()
    hash = serializers.CharField()


class CountByActionSerializer(serializers.Serializer):
    action = serializers.CharField()
    count = serializers.IntegerField()


class CountByActorSerializer(serializers.Serializer):
    actor_id = serializers.UUIDField(allow_null=True)
    label = serializers.CharField()
    count = serializers.IntegerField()


class CountByDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    count = serializers.IntegerField()


class AuditReportSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_action = CountByActionSerializer(many=True)
    by_actor = CountByActorSerializer(many=True)
    by_day = CountByDaySerializer(many=True)
