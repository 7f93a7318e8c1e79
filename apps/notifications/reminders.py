"""Deadline reminders: milestones and projects due within each person's chosen window.

Who hears of an item: the owners, admins and members of its workspace (viewers only watch),
each by their own window (`reminder_window_days`, default `REMINDER_DEFAULT_WINDOW_DAYS`),
counted in their own time zone. Done milestones, finished or cancelled projects and archived
clients are left alone.

Each reminder goes through `notify` with the key `deadline:<item>:<due date>:<window>`, so a
job that runs twice, is retried or races another worker tells nobody twice: the key is unique
per person, for the in-app row and for the email alike. Moving a due date makes a new key, so
the new date is reminded once too.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from apps.crm.models import Milestone, Project
from apps.workspaces.models import Membership
from apps.workspaces.roles import Perm, roles_with

from . import selectors
from .emails import absolute_url, user_key
from .kinds import REMINDER_WINDOW_MAX_DAYS, Kind
from .models import EmailDelivery, Notification
from .services import notify

# Project states with nothing left to remind anyone of.
_FINISHED = (Project.Status.COMPLETED, Project.Status.CANCELLED)


@dataclass(frozen=True)
class DueItem:
    kind: str  # "milestone" | "project"
    id: str
    workspace_id: str
    title: str
    project: str
    client: str
    due_date: date
    project_id: str


@dataclass
class Run:
    """What a run sent (or, dry, would send): (user email, item title, due date) rows."""

    checked_items: int = 0
    people: int = 0
    sent: list[tuple[str, str, date]] = field(default_factory=list)


def _local_today(user, now) -> date:
    try:
        zone = ZoneInfo(user.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date()


def due_items(*, start: date, end: date) -> list[DueItem]:
    """Open milestones and projects due in [start, end], in two queries."""
    milestones = (
        Milestone.objects.filter(done=False, due_date__range=(start, end))
        .exclude(project__status__in=_FINISHED)
        .filter(project__client__archived_at__isnull=True)
        .values_list(
            "id", "workspace_id", "title", "project__name", "project__client__name", "due_date",
            "project_id",
        )
    )  # fmt: skip
    projects = (
        Project.objects.filter(due_date__range=(start, end))
        .exclude(status__in=_FINISHED)
        .filter(client__archived_at__isnull=True)
        .values_list("id", "workspace_id", "name", "name", "client__name", "due_date", "id")
    )
    return [
        DueItem(kind, str(pk), str(ws), title, project, client, due, str(project_id))
        for kind, rows in (("milestone", milestones), ("project", projects))
        for pk, ws, title, project, client, due, project_id in rows
    ]


def _link(item: DueItem) -> str:
    return reverse("dashboard-project", args=[item.project_id])


def send_deadline_reminders(*, now=None, dry_run: bool = False) -> Run:
    now = now or timezone.now()
    run = Run()
    # Time zones span about a day either side of UTC; the window is checked per person below.
    utc_today = now.date()
    items = due_items(
        start=utc_today - timedelta(days=1),
        end=utc_today + timedelta(days=REMINDER_WINDOW_MAX_DAYS + 1),
    )
    run.checked_items = len(items)
    if not items:
        return run
    by_workspace: dict[str, list[DueItem]] = {}
    for item in items:
        by_workspace.setdefault(item.workspace_id, []).append(item)
    memberships = (
        Membership.objects.filter(workspace_id__in=by_workspace, role__in=roles_with(Perm.CRM_EDIT))
        .filter(Q(user__is_active=True))
        .select_related("user")
    )
    people: dict = {}
    for membership in memberships:
        people.setdefault(membership.user_id, (membership.user, []))[1].append(
            str(membership.workspace_id)
        )
    run.people = len(people)
    preferences = selectors.preferences_for_users(people)
    owed = []
    for user_id, (user, workspace_ids) in people.items():
        prefs = preferences[user_id]
        window = prefs.reminder_window_days
        today = _local_today(user, now)
        for workspace_id in workspace_ids:
            for item in by_workspace[workspace_id]:
                days_left = (item.due_date - today).days
                if 0 <= days_left <= window:
                    owed.append((user, item, days_left, window, _key(item, window)))
    told = _told_already(owed)
    for user, item, days_left, window, key in owed:
        if (user.pk, key) in told:
            continue
        if not dry_run:
            _remind(user, item, days_left, window, preferences[user.pk], key)
        run.sent.append((user.email, item.title, item.due_date))
    return run


def _key(item: DueItem, window: int) -> str:
    return f"deadline:{item.kind}:{item.id}:{item.due_date.isoformat()}:{window}"


def _told_already(owed) -> set:
    """(user id, key) of the reminders sent before, in two queries: most runs after the first
    of the day find everything told, and skip it without a write. `notify`'s unique keys still
    decide when two runs race."""
    keys = {key for *_, key in owed}
    users = {user.pk for user, *_ in owed}
    told = set(
        Notification.objects.filter(user_id__in=users, key__in=keys).values_list("user_id", "key")
    )
    email_keys = {user_key(user.pk, key): (user.pk, key) for user, *_, key in owed}
    told.update(
        email_keys[key]
        for key in EmailDelivery.objects.filter(key__in=list(email_keys)).values_list(
            "key", flat=True
        )
    )
    return told


def _remind(user, item: DueItem, days_left: int, window: int, prefs, key: str):
    when = "today" if days_left == 0 else ("tomorrow" if days_left == 1 else f"in {days_left} days")
    what = "Milestone" if item.kind == "milestone" else "Project"
    return notify(
        user=user,
        kind=Kind.DEADLINE_REMINDER,
        title=f"{what} due {when}: {item.title}",
        body=f"{item.project} for {item.client} is due {item.due_date:%A %d %B}.",
        data={"itemType": item.kind, "itemId": item.id, "dueDate": item.due_date.isoformat()},
        link=_link(item),
        email_template="deadline_reminder",
        context={
            "window_days": window,
            "items": [
                {
                    "kind": item.kind,
                    "title": item.title,
                    "project": item.project,
                    "client": item.client,
                    "due_date": item.due_date,
                    "days_left": days_left,
                    "url": absolute_url(_link(item)),
                }
            ],
        },
        key=key,
        preferences=prefs,
    )
