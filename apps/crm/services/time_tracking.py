from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.activity.services import apply_changes, record_activity
from apps.activity.verbs import Verb
from apps.core.errors import ApplicationError

from ..models import Milestone, Project, TimeEntry

ENTRY_FIELDS = ("description", "billable", "hourly_rate", "milestone", "started_at", "ended_at")


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, details=[{"field": field, "message": message}])


def _check_milestone(project: Project, milestone: Milestone | None) -> None:
    if milestone is not None and milestone.project_id != project.pk:
        raise _invalid("milestoneId", "This milestone belongs to another project.")


def _finish(entry: TimeEntry) -> None:
    if entry.ended_at is not None:
        entry.duration_seconds = int((entry.ended_at - entry.started_at).total_seconds())


@transaction.atomic
def start_timer(
    *,
    actor,
    project: Project,
    milestone: Milestone | None = None,
    description: str = "",
    billable: bool = True,
) -> TimeEntry:
    _check_milestone(project, milestone)
    try:
        with transaction.atomic():
            entry = TimeEntry.objects.create(
                workspace_id=project.workspace_id,
                project=project,
                milestone=milestone,
                user=actor,
                description=description,
                billable=billable,
                hourly_rate=project.hourly_rate,
                started_at=timezone.now(),
            )
    except IntegrityError:
        running = TimeEntry.objects.running().filter(user=actor).first()
        raise ApplicationError(
            "You have a timer running already; stop it first.",
            code="TIMER_RUNNING",
            status_code=409,
            details=[
                {
                    "field": None,
                    "message": f"Timer {running.pk} runs in workspace {running.workspace_id}.",
                }
            ]
            if running
            else [],
        ) from None
    record_activity(
        workspace_id=entry.workspace_id, actor=actor, verb=Verb.TIMER_STARTED, target=entry
    )
    return entry


@transaction.atomic
def stop_timer(*, entry: TimeEntry, actor) -> TimeEntry:
    entry = (
        TimeEntry.objects.select_for_update(of=("self",)).select_related("project").get(pk=entry.pk)
    )
    if entry.ended_at is not None:
        raise ApplicationError(
            "This timer is stopped already.", code="TIMER_NOT_RUNNING", status_code=409
        )
    entry.ended_at = max(timezone.now(), entry.started_at)
    _finish(entry)
    entry.save(update_fields=["ended_at", "duration_seconds", "updated_at"])
    record_activity(
        workspace_id=entry.workspace_id,
        actor=actor,
        verb=Verb.TIMER_STOPPED,
        target=entry,
        changes={"duration_seconds": [None, entry.duration_seconds]},
    )
    return entry


def _check_span(started_at: datetime, ended_at: datetime | None) -> None:
    if ended_at is None:
        raise _invalid("endedAt", "A manual entry needs an end, or a duration.")
    if ended_at < started_at:
        raise _invalid("endedAt", "The end cannot be before the start.")
    if ended_at > timezone.now() + timedelta(minutes=5):
        raise _invalid("endedAt", "Time cannot be logged in the future.")


@transaction.atomic
def create_time_entry(
    *,
    actor,
    project: Project,
    started_at: datetime,
    ended_at: datetime | None = None,
    duration_seconds: int | None = None,
    milestone: Milestone | None = None,
    description: str = "",
    billable: bool = True,
    hourly_rate=None,
) -> TimeEntry:
    """Log finished work by hand: a start and an end, or a start and a duration."""
    _check_milestone(project, milestone)
    if ended_at is None and duration_seconds is not None:
        ended_at = started_at + timedelta(seconds=duration_seconds)
    _check_span(started_at, ended_at)
    entry = TimeEntry(
        workspace_id=project.workspace_id,
        project=project,
        milestone=milestone,
        user=actor,
        description=description,
        billable=billable,
        hourly_rate=hourly_rate if hourly_rate is not None else project.hourly_rate,
        started_at=started_at,
        ended_at=ended_at,
    )
    _finish(entry)
    entry.save(force_insert=True)
    record_activity(
        workspace_id=entry.workspace_id,
        actor=actor,
        verb=Verb.TIME_ENTRY_CREATED,
        target=entry,
        changes={"duration_seconds": [None, entry.duration_seconds]},
    )
    return entry


@transaction.atomic
def update_time_entry(*, entry: TimeEntry, actor, data: dict) -> TimeEntry:
    entry = (
        TimeEntry.objects.select_for_update(of=("self",)).select_related("project").get(pk=entry.pk)
    )
    if "milestone" in data:
        _check_milestone(entry.project, data["milestone"])
    if entry.is_running and "ended_at" in data:
        raise _invalid("endedAt", "Stop the timer to end it.")
    if "started_at" in data and data["started_at"] > timezone.now() + timedelta(minutes=5):
        raise _invalid("startedAt", "Time cannot start in the future.")
    changes = apply_changes(entry, data, ENTRY_FIELDS)
    if not changes:
        return entry
    if not entry.is_running:
        _check_span(entry.started_at, entry.ended_at)
        before = entry.duration_seconds
        _finish(entry)
        if before != entry.duration_seconds:
            changes["duration_seconds"] = [before, entry.duration_seconds]
    entry.save()
    record_activity(
        workspace_id=entry.workspace_id,
        actor=actor,
        verb=Verb.TIME_ENTRY_UPDATED,
        target=entry,
        changes=changes,
    )
    return entry


@transaction.atomic
def delete_time_entry(*, entry: TimeEntry, actor) -> None:
    record_activity(
        workspace_id=entry.workspace_id, actor=actor, verb=Verb.TIME_ENTRY_DELETED, target=entry
    )
    entry.delete()


def stop_stale_timers(*, now: datetime | None = None) -> int:
    """Stop every timer running longer than TIMER_MAX_RUNNING_HOURS, at that mark: someone who
    forgot a timer overnight should not bill the night. Safe to run twice or in parallel."""
    now = now or timezone.now()
    limit = timedelta(hours=settings.TIMER_MAX_RUNNING_HOURS)
    stopped = 0
    stale = TimeEntry.objects.running().filter(started_at__lte=now - limit).values_list("pk")
    for (entry_id,) in list(stale[:5000]):
        with transaction.atomic():
            entry = (
                TimeEntry.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("project")
                .filter(pk=entry_id, ended_at__isnull=True)
                .first()
            )
            if entry is None:
                continue
            entry.ended_at = entry.started_at + limit
            entry.auto_stopped = True
            _finish(entry)
            entry.save(update_fields=["ended_at", "duration_seconds", "auto_stopped", "updated_at"])
            record_activity(
                workspace_id=entry.workspace_id,
                actor=None,
                verb=Verb.TIMER_AUTO_STOPPED,
                target=entry,
                changes={"duration_seconds": [None, entry.duration_seconds]},
            )
            stopped += 1
    return stopped
