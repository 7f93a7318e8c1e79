"""The weekly summary email: on Monday morning in each person's own time zone, what happened
in their workspaces last week and what is due this week. A week with nothing to tell sends
nothing. The job runs every hour; the key `weekly:<ISO week>` makes each week's summary go
out once per person, however often the job runs."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from apps.activity.models import ActivityEvent
from apps.activity.verbs import Verb
from apps.crm.models import Milestone, TimeEntry
from apps.workspaces.models import Membership

from . import selectors
from .emails import absolute_url
from .kinds import Kind
from .services import notify

_COUNTED = {
    Verb.CLIENT_CREATED: "New clients",
    Verb.PROJECT_CREATED: "New projects",
    Verb.MILESTONE_COMPLETED: "Milestones completed",
    Verb.NOTE_CREATED: "Notes written",
}


@dataclass
class Run:
    people: int = 0
    sent: list[str] = field(default_factory=list)
    skipped_empty: int = 0


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def zones_at_monday_morning(now: datetime, zones) -> dict[str, date]:
    """Of these time zone names, those where it is Monday at or after the summary hour,
    each with that Monday's date."""
    found = {}
    for name in zones:
        local = now.astimezone(_zone(name))
        if local.weekday() == 0 and local.hour >= settings.WEEKLY_SUMMARY_HOUR:
            found[name] = local.date()
    return found


def summary_for(user, *, monday: date, zone: ZoneInfo) -> dict | None:
    """The email's context, or None when the week has nothing to tell."""
    start = datetime.combine(monday - timedelta(days=7), time.min, tzinfo=zone)
    end = datetime.combine(monday, time.min, tzinfo=zone)
    workspace_ids = list(
        Membership.objects.filter(user=user).values_list("workspace_id", flat=True)
    )
    counts = dict(
        ActivityEvent.objects.filter(
            workspace_id__in=workspace_ids, created_at__gte=start, created_at__lt=end,
            verb__in=list(_COUNTED),
        )
        .values_list("verb")
        .annotate(n=Count("id"))
    )  # fmt: skip
    seconds = (
        TimeEntry.objects.filter(
            user=user, started_at__gte=start, started_at__lt=end, duration_seconds__isnull=False
        ).aggregate(total=Sum("duration_seconds"))["total"]
        or 0
    )
    due = list(
        Milestone.objects.filter(
            workspace_id__in=workspace_ids,
            done=False,
            due_date__range=(monday, monday + timedelta(days=6)),
        )
        .select_related("project")
        .order_by("due_date")[:20]
    )
    stats = [{"label": label, "value": counts[verb]} for verb, label in _COUNTED.items()
             if counts.get(verb)]  # fmt: skip
    if seconds:
        stats.append({"label": "Hours you tracked", "value": f"{seconds / 3600:.1f}"})
    if not stats and not due:
        return None
    sections = []
    if due:
        sections.append(
            {
                "title": "Due this week",
                "items": [
                    {
                        "title": milestone.title,
                        "detail": f"{milestone.project.name}, {milestone.due_date:%A}",
                        "url": absolute_url(
                            reverse("dashboard-project", args=[milestone.project_id])
                        ),
                    }
                    for milestone in due
                ],
            }
        )
    return {
        "period_start": monday - timedelta(days=7),
        "period_end": monday - timedelta(days=1),
        "stats": stats,
        "sections": sections,
    }


def send_weekly_summaries(*, now=None, dry_run: bool = False) -> Run:
    now = now or timezone.now()
    run = Run()
    users = get_user_model().objects.filter(is_active=True)
    zones = zones_at_monday_morning(now, users.values_list("timezone", flat=True).distinct())
    if not zones:
        return run
    recipients = list(users.filter(timezone__in=zones))
    run.people = len(recipients)
    preferences = selectors.preferences_for_users(user.pk for user in recipients)
    for user in recipients:
        monday = zones[user.timezone]
        context = summary_for(user, monday=monday, zone=_zone(user.timezone))
        if context is None:
            run.skipped_empty += 1
            continue
        if dry_run:
            run.sent.append(user.email)
            continue
        iso_year, iso_week, _ = monday.isocalendar()
        key = f"weekly:{iso_year}-W{iso_week:02d}"
        if selectors.notified(user, key):
            continue
        notify(
            user=user,
            kind=Kind.WEEKLY_SUMMARY,
            title=f"Your week: {context['period_start']:%d %b} to {context['period_end']:%d %b}",
            body="; ".join(f"{stat['label']}: {stat['value']}" for stat in context["stats"]),
            link=reverse("dashboard"),
            email_template="weekly_summary",
            context=context,
            key=key,
            preferences=preferences[user.pk],
        )
        run.sent.append(user.email)
    return run
