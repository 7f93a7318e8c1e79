"""Who may call what: every team, CRM, activity and audit endpoint, for six callers.

The callers are anonymous, an outsider (the owner of another workspace: they hold every
permission there, so whatever they meet in W must be a 404, never a 403), and a viewer, a
member, an admin and an owner of the team workspace W that holds the data. Each cell asserts
the exact status; an allowed call carries a valid body, so it succeeds and the status says
nothing but the authorization. A test walks the URLconf, so a new endpoint cannot be added
without its row here.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import orjson
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from apps.ai.tests.factories import SummaryJobFactory
from apps.api_keys.tests.factories import ApiKeyFactory
from apps.billing.models import Subscription
from apps.billing.tests.factories import InvoiceFactory, PaymentFactory
from apps.crm.tests.factories import TimeEntryFactory
from apps.files.tests.factories import FileAssetFactory
from apps.notifications.tests.factories import NotificationFactory
from apps.workspaces.services import invite_token
from apps.workspaces.tests.factories import InviteFactory

from .conftest import APP_URLCONFS, CALLERS, ROLES, app_endpoints, content_of, send

EVERYONE = ROLES
CONTRIBUTORS = ("member", "admin", "owner")
MANAGERS = ("admin", "owner")
OWNERS = ("owner",)


def expect(ok: int, allowed=EVERYONE, *, outsider: int = 404, denied: int = 403) -> dict:
    statuses = {"anonymous": 401, "outsider": outsider}
    statuses.update({role: ok if role in allowed else denied for role in ROLES})
    return statuses


def everyone_signed_in(status: int) -> dict:
    return {caller: 401 if caller == "anonymous" else status for caller in CALLERS}


def nothing(world, user) -> dict:
    return {}


def team(world, user) -> dict:
    return {"pk": world.workspace.pk}


def of(attr: str, kwarg: str = "pk") -> Callable:
    return lambda world, user: {kwarg: getattr(world, attr).pk}


def body(data: dict) -> Callable:
    return lambda world, user: data


def team_member(attr: str) -> Callable:
    return lambda world, user: {"pk": world.workspace.pk, "user_id": getattr(world, attr).pk}


def yourself(world, user) -> dict:
    """Your own membership (leaving); anonymous names someone else's."""
    return {"pk": world.workspace.pk, "user_id": (user or world.colleague).pk}


def team_invite(world, user) -> dict:
    return {"pk": world.workspace.pk, "invite_id": world.invite.pk}


def milestone(world, user) -> dict:
    return {"project_pk": world.project.pk, "pk": world.milestone.pk}


def _is_w_member(world, user) -> bool:
    return user is not None and user != world.outsider


def your_entry(world, user) -> dict:
    """An entry of the caller's own in W; callers outside W aim at the colleague's."""
    if not _is_w_member(world, user):
        return {"pk": world.entry.pk}
    return {"pk": TimeEntryFactory(project=world.project, user=user).pk}


def your_timer(world, user) -> dict:
    if not _is_w_member(world, user):
        return {"pk": world.timer.pk}
    entry = TimeEntryFactory(
        project=world.project,
        user=user,
        started_at=timezone.now() - timedelta(minutes=20),
        ended_at=None,
        duration_seconds=None,
    )
    return {"pk": entry.pk}


def token_to_you(world, user) -> dict:
    """A W invite addressed to the caller."""
    if user is None:
        return {"token": invite_token(world.invite)}
    invite = InviteFactory(workspace=world.workspace, email=user.email, invited_by=world.owner)
    return {"token": invite_token(invite)}


def token_to_someone_else(world, user) -> dict:
    return {"token": invite_token(world.invite)}


def manual_entry(world, user) -> dict:
    started = timezone.now() - timedelta(hours=3)
    return {
        "projectId": str(world.project.pk),
        "startedAt": started.isoformat(),
        "durationSeconds": 1800,
        "description": "Logged by hand",
    }


def start_timer(world, user) -> dict:
    return {"projectId": str(world.project.pk), "description": "Timing this"}


@dataclass(frozen=True)
class Case:
    id: str
    url_name: str
    method: str
    expect: dict
    kwargs: Callable = nothing
    body: Callable | None = None
    query: dict = field(default_factory=dict)
    # Endpoints about the workspace itself name it in the path; the rest act in the header's.
    header: bool = True
    # The outsider was invited (accept/decline): what they see of W is theirs to see.
    outsider_may_see_w: bool = False
    # Without the header everyone acts in their own personal workspace: no W data for anyone.
    leak_free: bool = False
    # Something of the outsider's own workspace they must see in the answer.
    outsider_sees: Callable | None = None


TEAM_CASES = [
    Case(
        "teams.get",
        "teams",
        "GET",
        expect(200, outsider=200),
        header=False,
        outsider_sees=lambda world: world.outsider_workspace.pk,
    ),
    Case(
        "teams.post",
        "teams",
        "POST",
        everyone_signed_in(201),
        body=body({"name": "A brand new team"}),
        header=False,
    ),
    Case("team.get", "team", "GET", expect(200), team, header=False),
    Case(
        "team.put",
        "team",
        "PUT",
        expect(200, MANAGERS),
        team,
        body({"name": "Renamed team"}),
        header=False,
    ),
    Case(
        "team.patch",
        "team",
        "PATCH",
        expect(200, MANAGERS),
        team,
        body({"name": "Renamed team"}),
        header=False,
    ),
    Case("team.delete", "team", "DELETE", expect(204, OWNERS), team, header=False),
    Case("team-members.get", "team-members", "GET", expect(200), team, header=False),
    Case(
        "team-members.post",
        "team-members",
        "POST",
        expect(201, MANAGERS),
        team,
        body({"email": "newcomer@example.com", "role": "member"}),
        header=False,
    ),
    *[
        Case(
            f"team-member.{method.lower()}",
            "team-member",
            method,
            expect(200, MANAGERS),
            team_member("colleague"),
            body({"role": "viewer"}),
            header=False,
        )
        for method in ("PUT", "PATCH")
    ],
    *[
        Case(
            f"team-member.{method.lower()}.demote-an-owner",
            "team-member",
            method,
            expect(200, OWNERS),
            team_member("co_owner"),
            body({"role": "admin"}),
            header=False,
        )
        for method in ("PUT", "PATCH")
    ],
    *[
        Case(
            f"team-member.{method.lower()}.promote-to-owner",
            "team-member",
            method,
            expect(200, OWNERS),
            team_member("colleague"),
            body({"role": "owner"}),
            header=False,
        )
        for method in ("PUT", "PATCH")
    ],
    Case(
        "team-member.delete",
        "team-member",
        "DELETE",
        expect(204, MANAGERS),
        team_member("colleague"),
        header=False,
    ),
    Case(
        "team-member.delete.an-owner",
        "team-member",
        "DELETE",
        expect(204, OWNERS),
        team_member("co_owner"),
        header=False,
    ),
    Case(
        "team-member.delete.leave",
        "team-member",
        "DELETE",
        expect(204),
        yourself,
        header=False,
    ),
    Case(
        "team-transfer-ownership.post",
        "team-transfer-ownership",
        "POST",
        expect(200, OWNERS),
        team,
        lambda world, user: {"userId": str(world.colleague.pk)},
        header=False,
    ),
    Case("team-invites.get", "team-invites", "GET", expect(200, MANAGERS), team, header=False),
    Case(
        "team-invites.post",
        "team-invites",
        "POST",
        expect(201, MANAGERS),
        team,
        body({"email": "newcomer@example.com", "role": "member"}),
        header=False,
    ),
    Case(
        "team-invites.post.owner-role",
        "team-invites",
        "POST",
        expect(201, OWNERS),
        team,
        body({"email": "newcomer@example.com", "role": "owner"}),
        header=False,
    ),
    Case(
        "team-invite.delete",
        "team-invite",
        "DELETE",
        expect(200, MANAGERS),
        team_invite,
        header=False,
    ),
    Case(
        "team-invite-resend.post",
        "team-invite-resend",
        "POST",
        expect(200, MANAGERS),
        team_invite,
        header=False,
    ),
    *[
        Case(
            f"invite-{verb}.post",
            f"invite-{verb}",
            "POST",
            everyone_signed_in(200),
            body=token_to_you,
            header=False,
            outsider_may_see_w=True,
        )
        for verb in ("accept", "decline")
    ],
    # Someone else's invite: the token names W's invite, but the email decides, for everyone.
    *[
        Case(
            f"invite-{verb}.post.someone-elses",
            f"invite-{verb}",
            "POST",
            everyone_signed_in(403),
            body=token_to_someone_else,
            header=False,
        )
        for verb in ("accept", "decline")
    ],
]

CRM_CASES = [
    Case("clients.get", "clients", "GET", expect(200)),
    Case(
        "clients.get.no-header",
        "clients",
        "GET",
        expect(200, outsider=200),
        header=False,
        leak_free=True,
        outsider_sees=lambda world: world.outsider_client.pk,
    ),
    Case(
        "clients.post", "clients", "POST", expect(201, CONTRIBUTORS), body=body({"name": "Hooli"})
    ),
    Case("client.get", "client", "GET", expect(200), of("client")),
    Case(
        "client.patch",
        "client",
        "PATCH",
        expect(200, CONTRIBUTORS),
        of("client"),
        body({"name": "Globex Inc", "status": "paused"}),
    ),
    Case("client.delete", "client", "DELETE", expect(204, CONTRIBUTORS), of("client")),
    *[
        Case(
            f"client-archive.{method.lower()}",
            "client-archive",
            method,
            expect(200, CONTRIBUTORS),
            of("client"),
        )
        for method in ("PATCH", "POST")
    ],
    *[
        Case(
            f"client-unarchive.{method.lower()}",
            "client-unarchive",
            method,
            expect(200, CONTRIBUTORS),
            of("archived_client"),
        )
        for method in ("PATCH", "POST")
    ],
    Case("client-time-summary.get", "client-time-summary", "GET", expect(200), of("client")),
    Case("client-projects.get", "client-projects", "GET", expect(200), of("client", "client_pk")),
    Case(
        "client-projects.post",
        "client-projects",
        "POST",
        expect(201, CONTRIBUTORS),
        of("client", "client_pk"),
        body({"name": "Brand refresh", "status": "planning"}),
    ),
    Case("client-notes.get", "client-notes", "GET", expect(200), of("client", "client_pk")),
    Case(
        "client-notes.post",
        "client-notes",
        "POST",
        expect(201, CONTRIBUTORS),
        of("client", "client_pk"),
        body({"title": "Call", "body": "<p>Called them.</p>"}),
    ),
    Case("projects.get", "projects", "GET", expect(200)),
    Case(
        "projects.get.no-header",
        "projects",
        "GET",
        expect(200, outsider=200),
        header=False,
        leak_free=True,
        outsider_sees=lambda world: world.outsider_project.pk,
    ),
    Case("project.get", "project", "GET", expect(200), of("project")),
    Case(
        "project.patch",
        "project",
        "PATCH",
        expect(200, CONTRIBUTORS),
        of("project"),
        body({"name": "Website relaunch v2"}),
    ),
    Case("project.delete", "project", "DELETE", expect(204, CONTRIBUTORS), of("project")),
    Case("project-time-summary.get", "project-time-summary", "GET", expect(200), of("project")),
    Case(
        "project-milestones.get",
        "project-milestones",
        "GET",
        expect(200),
        of("project", "project_pk"),
    ),
    Case(
        "project-milestones.post",
        "project-milestones",
        "POST",
        expect(201, CONTRIBUTORS),
        of("project", "project_pk"),
        body({"title": "Launch"}),
    ),
    Case("project-milestone.get", "project-milestone", "GET", expect(200), milestone),
    Case(
        "project-milestone.patch",
        "project-milestone",
        "PATCH",
        expect(200, CONTRIBUTORS),
        milestone,
        body({"done": True}),
    ),
    Case(
        "project-milestone.delete",
        "project-milestone",
        "DELETE",
        expect(204, CONTRIBUTORS),
        milestone,
    ),
    Case("project-notes.get", "project-notes", "GET", expect(200), of("project", "project_pk")),
    Case(
        "project-notes.post",
        "project-notes",
        "POST",
        expect(201, CONTRIBUTORS),
        of("project", "project_pk"),
        body({"body": "<p>Standup notes.</p>"}),
    ),
    Case("note.get", "note", "GET", expect(200), of("project_note")),
    Case(
        "note.patch",
        "note",
        "PATCH",
        expect(200, CONTRIBUTORS),
        of("project_note"),
        body({"body": "<p>Edited.</p>"}),
    ),
    Case("note.delete", "note", "DELETE", expect(204, CONTRIBUTORS), of("project_note")),
    Case("note-versions.get", "note-versions", "GET", expect(200), of("project_note")),
    Case("time-entries.get", "time-entries", "GET", expect(200)),
    Case(
        "time-entries.get.no-header",
        "time-entries",
        "GET",
        expect(200, outsider=200),
        header=False,
        leak_free=True,
        outsider_sees=lambda world: world.outsider_entry.pk,
    ),
    Case(
        "time-entries.post",
        "time-entries",
        "POST",
        expect(201, CONTRIBUTORS),
        body=manual_entry,
    ),
    # A read: a viewer has no timer, and may ask.
    Case("timer-current.get", "timer-current", "GET", expect(200)),
    Case("timer-start.post", "timer-start", "POST", expect(201, CONTRIBUTORS), body=start_timer),
    Case("time-entry.get", "time-entry", "GET", expect(200), of("entry")),
    # Another member's entry: only those who manage everyone's time.
    Case(
        "time-entry.patch",
        "time-entry",
        "PATCH",
        expect(200, MANAGERS),
        of("entry"),
        body({"description": "Reviewed"}),
    ),
    Case("time-entry.delete", "time-entry", "DELETE", expect(204, MANAGERS), of("entry")),
    Case("time-entry-stop.post", "time-entry-stop", "POST", expect(200, MANAGERS), of("timer")),
    # The caller's own entry: anyone who tracks time.
    Case(
        "time-entry.patch.own",
        "time-entry",
        "PATCH",
        expect(200, CONTRIBUTORS),
        your_entry,
        body({"description": "Reviewed"}),
    ),
    Case("time-entry.delete.own", "time-entry", "DELETE", expect(204, CONTRIBUTORS), your_entry),
    Case(
        "time-entry-stop.post.own",
        "time-entry-stop",
        "POST",
        expect(200, CONTRIBUTORS),
        your_timer,
    ),
]

ACTIVITY_CASES = [
    Case("activity.get", "activity", "GET", expect(200)),
    Case(
        "activity.get.no-header",
        "activity",
        "GET",
        expect(200, outsider=200),
        header=False,
        leak_free=True,
        outsider_sees=lambda world: world.outsider_client.pk,
    ),
    Case("client-activity.get", "client-activity", "GET", expect(200), of("client", "client_pk")),
    Case(
        "project-activity.get",
        "project-activity",
        "GET",
        expect(200),
        of("project", "project_pk"),
    ),
    Case("audit-logs.get", "audit-logs", "GET", expect(200, MANAGERS)),
    Case(
        "audit-logs.get.report",
        "audit-logs",
        "GET",
        expect(200, MANAGERS),
        query={"report": "true"},
    ),
    Case(
        "audit-logs.get.export",
        "audit-logs",
        "GET",
        expect(200, MANAGERS),
        query={"export": "true"},
    ),
    # Everyone owns their personal workspace, so everyone may read its audit log.
    Case(
        "audit-logs.get.no-header",
        "audit-logs",
        "GET",
        expect(200, outsider=200),
        header=False,
        leak_free=True,
        outsider_sees=lambda world: world.outsider_client.pk,
    ),
]


def w_api_key(world, user) -> dict:
    return {"pk": ApiKeyFactory(workspace=world.workspace, created_by=world.owner).pk}


API_KEY_CASES = [
    Case("api-keys.get", "api-keys", "GET", expect(200, MANAGERS)),
    Case(
        "api-keys.post",
        "api-keys",
        "POST",
        expect(201, MANAGERS),
        body=body({"name": "CI sync", "scopes": ["clients:read"]}),
    ),
    Case("api-key.get", "api-key", "GET", expect(200, MANAGERS), w_api_key),
    Case("api-key.delete", "api-key", "DELETE", expect(204, MANAGERS), w_api_key),
    Case("api-key-rotate.post", "api-key-rotate", "POST", expect(201, MANAGERS), w_api_key),
]


def w_subscription(world, user) -> dict:
    return {"pk": Subscription.objects.get(workspace=world.workspace).pk}


def w_payment(world, user) -> dict:
    return {"pk": PaymentFactory(workspace=world.workspace, payer=world.owner).pk}


def w_invoice(world, user) -> dict:
    return {"pk": InvoiceFactory(workspace=world.workspace).pk}


# Stripe is not configured here, so an allowed call that reaches Stripe answers 503
# PAYMENTS_DISABLED, which it can only do after the tenancy and role checks have passed.
# apps/billing/tests runs each of them to success against the local Stripe stand-in.
STRIPE_OFF = 503

BILLING_CASES = [
    Case("plans.get", "plans", "GET", everyone_signed_in(200), header=False),
    Case("billing.get", "billing", "GET", expect(200)),
    Case("subscriptions.get", "subscriptions", "GET", expect(200)),
    # W is subscribed already (on Business), so a second subscription is a 409 for managers.
    Case(
        "subscriptions.post",
        "subscriptions",
        "POST",
        expect(409, MANAGERS),
        body=body({"plan": "pro"}),
    ),
    Case("subscription.get", "subscription", "GET", expect(200), w_subscription),
    Case(
        "subscription.put",
        "subscription",
        "PUT",
        expect(STRIPE_OFF, MANAGERS),
        w_subscription,
        body({"cancelAtPeriodEnd": True}),
    ),
    Case(
        "subscription-checkout.post",
        "subscription-checkout",
        "POST",
        expect(409, MANAGERS),
        body=body({"plan": "pro"}),
    ),
    Case(
        "subscription-portal.post",
        "subscription-portal",
        "POST",
        expect(409, MANAGERS),  # no Stripe customer yet: NO_BILLING_ACCOUNT
    ),
    Case("payments.get", "payments", "GET", expect(200, MANAGERS)),
    Case(
        "payments.post",
        "payments",
        "POST",
        expect(STRIPE_OFF, MANAGERS),
        body=body({"amount": 2500}),
    ),
    Case("payment.get", "payment", "GET", expect(200, MANAGERS), w_payment),
    Case(
        "payment-refund.post",
        "payment-refund",
        "POST",
        expect(STRIPE_OFF, MANAGERS),
        w_payment,
        body({"amount": 100}),
    ),
    Case("invoices.get", "invoices", "GET", expect(200, MANAGERS)),
    Case("invoice.get", "invoice", "GET", expect(200, MANAGERS), w_invoice),
    Case("invoice-pdf.get", "invoice-pdf", "GET", expect(STRIPE_OFF, MANAGERS), w_invoice),
]

# Stripe's own endpoint: its signature is the credential, whoever calls, so every caller gets the
# same answer (no webhook secret here: 503). apps/billing/tests/test_webhooks.py covers it.
PUBLIC_CASES = [
    Case(
        "stripe-webhook.post",
        "stripe-webhook",
        "POST",
        {caller: STRIPE_OFF for caller in CALLERS},
        body=body({"id": "evt_matrix"}),
        header=False,
    ),
]

# A user's own settings: every signed-in caller reads and writes their own, never W's.
SETTINGS_CASES = [
    Case("settings.get", "settings", "GET", everyone_signed_in(200), header=False),
    Case(
        "settings.put",
        "settings",
        "PUT",
        everyone_signed_in(200),
        body=body({"theme": "dark"}),
        header=False,
    ),
    Case("settings-app.get", "settings-app", "GET", everyone_signed_in(200), header=False),
]


def w_file(world, user) -> dict:
    return {"pk": FileAssetFactory(client=world.client, uploaded_by=world.owner).pk}


def upload_onto(parent: str | None) -> Callable:
    """A multipart body: a small text file, on W's client or project, or on neither."""

    def build(world, user) -> dict:
        data = {"file": SimpleUploadedFile("call-notes.txt", b"Called them on Monday.")}
        if parent:
            data[f"{parent}Id"] = str(getattr(world, parent).pk)
        return data

    return build


FILE_CASES = [
    Case("files-upload.post", "files-upload", "POST", expect(201, CONTRIBUTORS),
         body=upload_onto("client")),
    Case("files-upload.post.project", "files-upload", "POST", expect(201, CONTRIBUTORS),
         body=upload_onto("project")),
    Case("upload.post", "upload", "POST", expect(201, CONTRIBUTORS), body=upload_onto(None)),
    Case("file.get", "file", "GET", expect(200), w_file),
    Case("file.delete", "file", "DELETE", expect(204, CONTRIBUTORS), w_file),
    Case("file-download.get", "file-download", "GET", expect(200), w_file),
    Case("file-download.get.redirect", "file-download", "GET", expect(302), w_file,
         query={"redirect": "1"}),
    Case("client-files.get", "client-files", "GET", expect(200), of("client", "client_pk")),
    Case("project-files.get", "project-files", "GET", expect(200), of("project", "project_pk")),
]  # fmt: skip


def w_summary_job(world, user) -> dict:
    return {"pk": SummaryJobFactory(project=world.project).pk}


# The offline summarizer runs in the request, so an allowed summarize is a 200 with the summary
# (W is on Business: quota to spare). apps/ai/tests covers the Gemini job path (202).
AI_CASES = [
    Case(
        "ai-summarize-project.post",
        "ai-summarize-project",
        "POST",
        expect(200, CONTRIBUTORS),
        of("project"),
    ),
    Case(
        "ai-summarize-client.post",
        "ai-summarize-client",
        "POST",
        expect(200, CONTRIBUTORS),
        of("client"),
    ),
    Case("ai-job.get", "ai-job", "GET", expect(200), w_summary_job),
    Case("ai-summaries.get", "ai-summaries", "GET", expect(200)),
    Case(
        "ai-summaries.get.no-header",
        "ai-summaries",
        "GET",
        expect(200, outsider=200),
        header=False,
        leak_free=True,
    ),
    Case("ai-usage.get", "ai-usage", "GET", expect(200)),
]


def your_notification(world, user) -> dict:
    """A notification of the caller's own; anonymous names the colleague's."""
    return {"pk": NotificationFactory(user=user or world.colleague).pk}


def someone_elses_notification(world, user) -> dict:
    return {"pk": NotificationFactory(user=world.colleague).pk}


# A user's own notifications and preferences: every signed-in caller reaches their own, and
# nobody reaches anyone else's (404), whatever their role in W.
NOTIFICATION_CASES = [
    Case("notifications.get", "notifications", "GET", everyone_signed_in(200), header=False),
    Case(
        "notifications.get.preferences",
        "notifications",
        "GET",
        everyone_signed_in(200),
        query={"preferences": "true"},
        header=False,
    ),
    Case(
        "notifications.post",
        "notifications",
        "POST",
        everyone_signed_in(201),
        body=body({"title": "Call the printer"}),
        header=False,
    ),
    Case(
        "notifications.put.preferences",
        "notifications",
        "PUT",
        everyone_signed_in(200),
        body=body({"reminderWindowDays": 3}),
        query={"preferences": "true"},
        header=False,
    ),
    Case(
        "notifications-read-all.put",
        "notifications-read-all",
        "PUT",
        everyone_signed_in(200),
        header=False,
    ),
    Case(
        "notification-read.put",
        "notification-read",
        "PUT",
        everyone_signed_in(200),
        your_notification,
        header=False,
    ),
    Case(
        "notification-read.put.someone-elses",
        "notification-read",
        "PUT",
        everyone_signed_in(404),
        someone_elses_notification,
        header=False,
    ),
    Case(
        "notification.delete",
        "notification",
        "DELETE",
        everyone_signed_in(204),
        your_notification,
        header=False,
    ),
    Case(
        "notification.delete.someone-elses",
        "notification",
        "DELETE",
        everyone_signed_in(404),
        someone_elses_notification,
        header=False,
    ),
    Case(
        "notification-preferences.get",
        "notification-preferences",
        "GET",
        everyone_signed_in(200),
        header=False,
    ),
    Case(
        "notification-preferences.patch",
        "notification-preferences",
        "PATCH",
        everyone_signed_in(200),
        body=body({"kinds": {"deadlineReminder": {"email": False}}}),
        header=False,
    ),
]

SEARCH_CASES = [
    Case("search.get", "search", "GET", expect(200), query={"q": "Globex"}),
    Case("search-clients.get", "search-clients", "GET", expect(200), query={"q": "Globex"}),
    Case("search-projects.get", "search-projects", "GET", expect(200), query={"q": "Website"}),
    Case(
        "search.get.no-header",
        "search",
        "GET",
        expect(200, outsider=200),
        query={"q": "Outsider"},
        header=False,
        leak_free=True,
        outsider_sees=lambda world: world.outsider_client.pk,
    ),
]

CASES = [
    *TEAM_CASES,
    *SEARCH_CASES,
    *AI_CASES,
    *CRM_CASES,
    *ACTIVITY_CASES,
    *API_KEY_CASES,
    *BILLING_CASES,
    *SETTINGS_CASES,
    *NOTIFICATION_CASES,
    *PUBLIC_CASES,
    *FILE_CASES,
]
CELLS = [
    pytest.param(case, caller, id=f"{case.id}-as-{caller}") for case in CASES for caller in CALLERS
]


def _error_code(content: bytes) -> str | None:
    try:
        return orjson.loads(content)["error"]["code"]
    except (orjson.JSONDecodeError, KeyError, TypeError):
        return None


@pytest.mark.parametrize(("case", "caller"), CELLS)
def test_each_caller_gets_exactly_the_status_the_role_table_allows(case, caller, world, client_for):
    user = world.caller(caller)
    api = client_for(user)
    url = reverse(case.url_name, kwargs=case.kwargs(world, user))
    data = case.body(world, user) if case.body else None
    headers = world.header if case.header else {}

    response = send(api, case.method, url, data, query=case.query, headers=headers)

    content = content_of(response)
    expected = case.expect[caller]
    assert response.status_code == expected, content[:500]
    if expected in (401, 404):
        assert _error_code(content) == {401: "UNAUTHORIZED", 404: "NOT_FOUND"}[expected]
    elif expected == 403:
        invitation = case.url_name in ("invite-accept", "invite-decline")
        assert _error_code(content) == ("INVITE_EMAIL_MISMATCH" if invitation else "FORBIDDEN")
    # Never a byte of another workspace's data.
    body_text = content.decode("utf-8", "replace")
    leaked = []
    if caller == "outsider" and not case.outsider_may_see_w:
        secrets = world.secrets() + world.people_secrets()
        leaked = [secret for secret in secrets if secret in body_text]
    elif case.leak_free:
        leaked = [secret for secret in world.secrets() if secret in body_text]
    assert not leaked, f"W's data reached {caller}: {leaked}"
    if caller == "outsider" and case.outsider_sees:
        assert str(case.outsider_sees(world)) in body_text


def test_every_endpoint_of_the_three_apps_has_a_matrix_row():
    endpoints = app_endpoints()
    rows = {(case.url_name, case.method) for case in CASES}

    assert {urlconf for urlconf, _ in endpoints.values()} == set(APP_URLCONFS)
    missing = sorted(
        f"{method} {route}"
        for (name, method), (_, route) in endpoints.items()
        if (name, method) not in rows
    )
    assert not missing, f"endpoints without a row in the authorization matrix: {missing}"
    stale = sorted(f"{method} {name}" for name, method in rows - endpoints.keys())
    assert not stale, f"matrix rows for endpoints that no longer exist: {stale}"


def test_url_names_in_the_three_apps_name_one_route_each():
    routes: dict[str, set[str]] = {}
    for (name, _), (_, route) in app_endpoints().items():
        routes.setdefault(name, set()).add(route)
    assert {name: paths for name, paths in routes.items() if len(paths) > 1} == {}


def test_every_row_says_what_each_of_the_six_callers_gets():
    for case in CASES:
        assert set(case.expect) == set(CALLERS), case.id
        if case not in PUBLIC_CASES:
            assert case.expect["anonymous"] == 401, case.id
    assert len({case.id for case in CASES}) == len(CASES)
