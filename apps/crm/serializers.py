"""Input validation for the CRM, and the shapes of `representations.py` for the schema."""

from rest_framework import serializers

from apps.core.fields import (
    CommaSeparatedChoiceField,
    OrderingField,
    StrictCharField,
    StrictEmailField,
)

from .models import Client, Project
from .selectors import CLIENT_ORDERINGS, PROJECT_ORDERINGS

# --- Input ------------------------------------------------------------------------------------


class ClientInputSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200)
    company = StrictCharField(max_length=200, required=False, allow_blank=True)
    email = StrictEmailField(required=False, allow_blank=True)
    phone = StrictCharField(max_length=32, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=Client.Status.choices, required=False)


class ClientFilterSerializer(serializers.Serializer):
    status = CommaSeparatedChoiceField(choices=Client.Status.values)
    archived = serializers.ChoiceField(choices=["false", "true", "all"], default="false")
    search = serializers.CharField(required=False, default="", max_length=200, allow_blank=True)
    ordering = OrderingField(orderings=CLIENT_ORDERINGS, default="-createdAt")


class ProjectInputSerializer(serializers.Serializer):
    name = StrictCharField(max_length=200)
    description = StrictCharField(required=False, allow_blank=True, max_length=20000)
    status = serializers.ChoiceField(choices=Project.Status.choices, required=False)
    start_date = serializers.DateField(required=False, allow_null=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    budget = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    hourly_rate = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False, allow_null=True
    )


class ProjectFilterSerializer(serializers.Serializer):
    status = CommaSeparatedChoiceField(choices=Project.Status.values)
    client_id = serializers.UUIDField(required=False)
    search = serializers.CharField(required=False, default="", max_length=200, allow_blank=True)
    due_before = serializers.DateField(required=False)
    ordering = OrderingField(orderings=PROJECT_ORDERINGS, default="-createdAt")


class MilestoneInputSerializer(serializers.Serializer):
    title = StrictCharField(max_length=200)
    due_date = serializers.DateField(required=False, allow_null=True)
    order = serializers.IntegerField(required=False, min_value=0, max_value=100000)
    done = serializers.BooleanField(required=False)


class NoteInputSerializer(serializers.Serializer):
    title = StrictCharField(max_length=200, required=False, allow_blank=True)
    body = StrictCharField(max_length=100000, help_text="HTML; sanitized on the way in.")
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="On update: the version you edited. A newer one on the server answers 409.",
    )


class TimerStartSerializer(serializers.Serializer):
    project_id = serializers.UUIDField()
    milestone_id = serializers.UUIDField(required=False, allow_null=True)
    description = StrictCharField(max_length=500, required=False, allow_blank=True)
    billable = serializers.BooleanField(required=False, default=True)


class TimeEntryInputSerializer(serializers.Serializer):
    project_id = serializers.UUIDField()
    milestone_id = serializers.UUIDField(required=False, allow_null=True)
    description = StrictCharField(max_length=500, required=False, allow_blank=True)
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(required=False)
    duration_seconds = serializers.IntegerField(required=False, min_value=1, max_value=86400 * 7)
    billable = serializers.BooleanField(required=False, default=True)
    hourly_rate = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False, allow_null=True
    )

    def validate(self, attrs):
        if "ended_at" in attrs and "duration_seconds" in attrs:
            raise serializers.ValidationError(
                {"duration_seconds": ["Send an end or a duration, not both."]}
            )
        return attrs


class TimeEntryUpdateSerializer(serializers.Serializer):
    milestone_id = serializers.UUIDField(required=False, allow_null=True)
    description = StrictCharField(max_length=500, required=False, allow_blank=True)
    started_at = serializers.DateTimeField(required=False)
    ended_at = serializers.DateTimeField(required=False)
    billable = serializers.BooleanField(required=False)
    hourly_rate = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False, allow_null=True
    )


class TimeEntryFilterSerializer(serializers.Serializer):
    project_id = serializers.UUIDField(required=False)
    client_id = serializers.UUIDField(required=False)
    user_id = serializers.UUIDField(required=False)
    billable = serializers.BooleanField(required=False, allow_null=True, default=None)
    running = serializers.BooleanField(required=False, allow_null=True, default=None)
    since = serializers.DateTimeField(required=False)
    until = serializers.DateTimeField(required=False)


# --- Output shapes (documentation of representations.py) ---------------------------------------


class RefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class ClientSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    company = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    status = serializers.ChoiceField(choices=Client.Status.choices)
    archived = serializers.BooleanField()
    archived_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class MilestoneSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    project_id = serializers.UUIDField()
    title = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    done = serializers.BooleanField()
    completed_at = serializers.DateTimeField(allow_null=True)
    order = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ProjectSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    client = RefSerializer()
    name = serializers.CharField()
    description = serializers.CharField()
    status = serializers.ChoiceField(choices=Project.Status.choices)
    start_date = serializers.DateField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    budget = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    hourly_rate = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ProgressSerializer(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField()


class ProjectDetailSerializer(ProjectSerializer):
    milestones = MilestoneSerializer(many=True)
    progress = ProgressSerializer()


class NoteSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    client_id = serializers.UUIDField(allow_null=True)
    project_id = serializers.UUIDField(allow_null=True)
    title = serializers.CharField()
    body = serializers.CharField(help_text="Sanitized HTML.")
    version = serializers.IntegerField()
    author = RefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class NoteVersionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    version = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    edited_by_id = serializers.UUIDField(allow_null=True)
    created_at = serializers.DateTimeField()


class TimeEntrySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    project_id = serializers.UUIDField()
    milestone_id = serializers.UUIDField(allow_null=True)
    user_id = serializers.UUIDField()
    description = serializers.CharField()
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    running = serializers.BooleanField()
    duration_seconds = serializers.IntegerField(help_text="So far, for a running timer.")
    billable = serializers.BooleanField()
    hourly_rate = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    auto_stopped = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class UserSecondsSerializer(serializers.Serializer):
    user_id = serializers.UUIDField()
    name = serializers.CharField()
    seconds = serializers.IntegerField()


class TimeSummarySerializer(serializers.Serializer):
    total_seconds = serializers.IntegerField()
    billable_seconds = serializers.IntegerField()
    billable_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    running_timers = serializers.IntegerField()
    by_user = UserSecondsSerializer(many=True)
