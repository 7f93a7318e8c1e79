"""Query validation, and the output shapes as the OpenAPI schema describes them (the views
build the bodies in representations.py)."""

from rest_framework import serializers

from .models import SummaryJob, TargetType

# --- Input ------------------------------------------------------------------------------------


class SummaryFilterSerializer(serializers.Serializer):
    client_id = serializers.UUIDField(required=False)
    project_id = serializers.UUIDField(required=False)


# --- Output -----------------------------------------------------------------------------------


class SummaryTargetSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=TargetType.choices)
    id = serializers.UUIDField()


class NamedSummaryTargetSerializer(SummaryTargetSerializer):
    name = serializers.CharField()


class SummarySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    target = NamedSummaryTargetSerializer()
    text = serializers.CharField()
    provider = serializers.CharField()
    model = serializers.CharField()
    content_hash = serializers.CharField(help_text="SHA-256 of the material and the provider.")
    created_by_id = serializers.UUIDField(allow_null=True)
    created_at = serializers.DateTimeField()


class SummaryAnswerSerializer(SummarySerializer):
    cached = serializers.BooleanField(
        help_text="True when the material had not changed: no quota was spent."
    )


class JobErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class SummaryJobSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=SummaryJob.Status.choices)
    poll_url = serializers.CharField(help_text="GET it until the status is final.")
    target = SummaryTargetSerializer()
    provider = serializers.CharField()
    model = serializers.CharField()
    attempts = serializers.IntegerField()
    error = JobErrorSerializer(allow_null=True)
    summary = SummarySerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class AiUsageSerializer(serializers.Serializer):
    used = serializers.IntegerField()
    limit = serializers.IntegerField(allow_null=True, help_text="Null: unlimited.")
    remaining = serializers.IntegerField(allow_null=True)
    resets_at = serializers.DateTimeField()
    in_progress = serializers.IntegerField(help_text="Jobs holding a unit while they run.")
    provider = serializers.CharField()
    model = serializers.CharField()
    recent = SummarySerializer(many=True)
