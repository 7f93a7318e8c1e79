from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from apps.activity.services import apply_changes, record_activity
from apps.activity.verbs import Verb
from apps.core.errors import ApplicationError

from ..models import Client, Milestone, Project

PROJECT_FIELDS = (
    "name", "description", "status", "start_date", "due_date", "budget", "hourly_rate",
)  # fmt: skip
MILESTONE_FIELDS = ("title", "due_date", "order")


def _check_dates(project: Project) -> None:
    if project.start_date and project.due_date and project.due_date < project.start_date:
        message = "The due date cannot be before the start date."
        raise ApplicationError(message, details=[{"field": "dueDate", "message": message}])


@transaction.atomic
def create_project(*, client: Client, actor, name: str, **fields) -> Project:
    if client.archived_at:
        raise ApplicationError(
            "This client is archived; unarchive it to add projects.",
            code="CLIENT_ARCHIVED",
            status_code=409,
        )
    project = Project(workspace_id=client.workspace_id, client=client, created_by=actor, name=name)
    apply_changes(project, fields, PROJECT_FIELDS)
    _check_dates(project)
    project.save(force_insert=True)
    record_activity(
        workspace_id=project.workspace_id,
        actor=actor,
        verb=Verb.PROJECT_CREATED,
        target=project,
        changes={field: [None, getattr(project, field)] for field in ("name", "status")},
    )
    return project


@transaction.atomic
def update_project(*, project: Project, actor, data: dict) -> Project:
    changes = apply_changes(project, data, PROJECT_FIELDS)
    if changes:
        _check_dates(project)
        project.save(update_fields=[*changes, "updated_at"])
        record_activity(
            workspace_id=project.workspace_id,
            actor=actor,
            verb=Verb.PROJECT_UPDATED,
            target=project,
            changes=changes,
        )
    return project


@transaction.atomic
def delete_project(*, project: Project, actor) -> None:
    record_activity(
        workspace_id=project.workspace_id, actor=actor, verb=Verb.PROJECT_DELETED, target=project
    )
    project.delete()


@transaction.atomic
def create_milestone(
    *, project: Project, actor, title: str, due_date=None, order: int | None = None
) -> Milestone:
    if order is None:
        last = project.milestones.aggregate(last=Max("order"))["last"]
        order = 0 if last is None else last + 1
    milestone = Milestone.objects.create(
        workspace_id=project.workspace_id,
        project=project,
        title=title,
        due_date=due_date,
        order=order,
    )
    record_activity(
        workspace_id=project.workspace_id,
        actor=actor,
        verb=Verb.MILESTONE_CREATED,
        target=milestone,
        changes={"title": [None, title], "due_date": [None, due_date]},
    )
    return milestone


@transaction.atomic
def update_milestone(*, milestone: Milestone, actor, data: dict) -> Milestone:
    """Edit a milestone; `done` ticks it off (or reopens it) and records when."""
    changes = apply_changes(milestone, data, MILESTONE_FIELDS)
    done = data.get("done")
    verb = Verb.MILESTONE_UPDATED
    if done is not None and done != milestone.done:
        changes["done"] = [milestone.done, done]
        milestone.done = done
        milestone.completed_at = timezone.now() if done else None
        changes["completed_at"] = None
        verb = Verb.MILESTONE_COMPLETED if done else Verb.MILESTONE_REOPENED
    if not changes:
        return milestone
    changes.pop("completed_at", None)
    milestone.save()
    record_activity(
        workspace_id=milestone.workspace_id,
        actor=actor,
        verb=verb,
        target=milestone,
        changes=changes,
    )
    return milestone


@transaction.atomic
def delete_milestone(*, milestone: Milestone, actor) -> None:
    record_activity(
        workspace_id=milestone.workspace_id,
        actor=actor,
        verb=Verb.MILESTONE_DELETED,
        target=milestone,
    )
    milestone.delete()
