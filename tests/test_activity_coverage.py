"""Every change made over the API leaves its activity event, and only a change does.

Each mutating endpoint of the team, CRM and activity apps is called once as it would succeed,
and the events it wrote are checked one by one: the verb, the actor, the client's address, the
request id the response carried, and the target. Then each fails once for every reason it can
fail (400, 403, 404, 409) and must leave every row as it was. The hash chain must hold over
all of it and must name an edited or a cut-off event. Last, the audit log's report, CSV export
and filters.
"""

import csv
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import orjson
import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.activity.models import ActivityChainHead, ActivityEvent
from apps.activity.verbs import Verb
from apps.ai import services as ai
from apps.ai.models import Summary, SummaryJob
from apps.api_keys.models import ApiKey
from apps.api_keys.tests.factories import ApiKeyFactory
from apps.billing import services as billing
from apps.billing.models import Customer, Payment, Plan, Refund, Subscription, UsageRecord
from apps.billing.tests.factories import PaymentFactory, SubscriptionFactory
from apps.crm import services as crm
from apps.crm.models import Client, Milestone, Note, NoteVersion, Project, TimeEntry
from apps.crm.tests.factories import TimeEntryFactory
from apps.files import services as files
from apps.files.models import FileAsset
from apps.files.tests import samples
from apps.notifications.models import EmailDelivery, Notification, NotificationPreference
from apps.notifications.tests.factories import NotificationFactory
from apps.preferences.models import UserPreference
from apps.workspaces.models import Invite, Membership, Workspace
from apps.workspaces.services import invite_token
from apps.workspaces.tests.factories import InviteFactory

from .conftest import app_endpoints, content_of, send

MUTATING = ("POST", "PUT", "PATCH", "DELETE")


def owner(world):
    return world.owner


def as_(attr: str) -> Callable:
    return lambda world: getattr(world, attr)


def nothing(world) -> dict:
    return {}


def team(world) -> dict:
    return {"pk": world.workspace.pk}


def personal(world) -> dict:
    return {"pk": world.owner.personal_workspace.pk}


def of(attr: str, kwarg: str = "pk") -> Callable:
    return lambda world: {kwarg: getattr(world, attr).pk}


def team_member(attr: str) -> Callable:
    return lambda world: {"pk": world.workspace.pk, "user_id": getattr(world, attr).pk}


def team_invite(attr: str = "invite") -> Callable:
    return lambda world: {"pk": world.workspace.pk, "invite_id": getattr(world, attr).pk}


def milestone_of(project: str, milestone: str) -> Callable:
    return lambda world: {
        "project_pk": getattr(world, project).pk,
        "pk": getattr(world, milestone).pk,
    }


def body(data: dict) -> Callable:
    return lambda world: data


def manual_entry(project: str = "project", **extra) -> Callable:
    def build(world) -> dict:
        started = timezone.now() - timedelta(hours=3)
        return {
            "projectId": str(getattr(world, project).pk),
            "startedAt": started.isoformat(),
            "durationSeconds": 1800,
            **extra,
        }

    return build


def the_invitee(world):
    """The person W's pending invite was sent to, signed up under that address."""
    return UserFactory(email=world.invite.email)


def token(world) -> dict:
    return {"token": invite_token(world.invite)}


def done_milestone(world) -> dict:
    crm.update_milestone(milestone=world.milestone, actor=world.owner, data={"done": True})
    return {"project_pk": world.project.pk, "pk": world.milestone.pk}


def revoked_invite(world) -> dict:
    invite = InviteFactory(workspace=world.workspace, status=Invite.Status.REVOKED)
    return {"pk": world.workspace.pk, "invite_id": invite.pk}


def accepted_invitee(world):
    user = UserFactory()
    InviteFactory(workspace=world.workspace, email=user.email, status=Invite.Status.ACCEPTED)
    return user


def accepted_token(world) -> dict:
    invite = Invite.objects.get(workspace=world.workspace, status=Invite.Status.ACCEPTED)
    return {"token": invite_token(invite)}


def owner_with_a_timer(world):
    TimeEntryFactory(
        project=world.project,
        user=world.owner,
        started_at=timezone.now() - timedelta(minutes=5),
        ended_at=None,
        duration_seconds=None,
    )
    return world.owner


def created(world, data) -> object:
    return data["id"]


def at(attr: str) -> Callable:
    return lambda world, data: getattr(world, attr).pk


# --- API keys and billing ----------------------------------------------------------------------


def w_key(world) -> dict:
    world.api_key = ApiKeyFactory(workspace=world.workspace, created_by=world.owner)
    return {"pk": world.api_key.pk}


def revoked_w_key(world) -> dict:
    key = ApiKeyFactory(
        workspace=world.workspace, created_by=world.owner, revoked_at=timezone.now()
    )
    return {"pk": key.pk}


def outsider_key(world) -> dict:
    return {"pk": ApiKeyFactory(workspace=world.outsider_workspace, created_by=world.outsider).pk}


def w_payment(world) -> dict:
    return {"pk": PaymentFactory(workspace=world.workspace, payer=world.owner).pk}


def unpaid_payment(world) -> dict:
    payment = PaymentFactory(
        workspace=world.workspace, payer=world.owner, status="requires_payment_method"
    )
    return {"pk": payment.pk}


def outsider_payment(world) -> dict:
    return {"pk": PaymentFactory(workspace=world.outsider_workspace, payer=world.outsider).pk}


def w_subscription(world) -> dict:
    return {"pk": Subscription.objects.get(workspace=world.workspace).pk}


def outsider_subscription(world) -> dict:
    return {"pk": SubscriptionFactory(workspace=world.outsider_workspace).pk}


# Calls marked `stripe=True` run against the local Stripe stand-in, kept here for their setup.
STRIPE: dict = {}


def unsubscribed(world) -> dict:
    """W's subscription (made without Stripe) has ended, so W may subscribe again."""
    Subscription.objects.filter(workspace=world.workspace).update(status="canceled")
    return {}


def with_customer(world) -> dict:
    billing.workspace_customer(workspace=world.workspace, email=world.owner.email)
    return {}


def stripe_subscription(world) -> dict:
    unsubscribed(world)
    subscription, _ = billing.create_subscription(
        workspace=world.workspace, actor=world.owner, plan_code="pro"
    )
    return {"pk": subscription.pk}


def paid_payment(world) -> dict:
    payment, _ = billing.create_payment(
        payer=world.owner,
        workspace=world.workspace,
        amount=5000,
        currency="usd",
        purpose=billing.WORKSPACE_CHARGE,
    )
    STRIPE["fake"].succeed_payment(payment.stripe_payment_intent_id)
    world.payment, _ = billing.refresh_payment(payment.stripe_payment_intent_id)
    return {"pk": payment.pk}


# --- Files -------------------------------------------------------------------------------------


def upload_body(parent: str | None = "client", name="brief.txt", content=b"Project brief"):
    def build(world) -> dict:
        data = {"file": SimpleUploadedFile(name, content)}
        if parent:
            data[f"{parent}Id"] = str(getattr(world, parent).pk)
        return data

    return build


def w_file(world) -> dict:
    world.file = files.upload_file(
        actor=world.owner,
        workspace=world.workspace,
        upload=SimpleUploadedFile("brief.txt", b"Project brief"),
        client=world.client,
    )
    return {"pk": world.file.pk}


def outsider_file(world) -> dict:
    file = files.upload_file(
        actor=world.outsider,
        workspace=world.outsider_workspace,
        upload=SimpleUploadedFile("theirs.txt", b"Not yours"),
        client=world.outsider_client,
    )
    return {"pk": file.pk}


def the_file(world, data):
    return world.file.pk


def summarized(attr: str) -> Callable:
    """The target, summarized already: asking again answers the cache."""

    def build(world) -> dict:
        ai.request_summary(target=getattr(world, attr), actor=world.owner)
        return {"pk": getattr(world, attr).pk}

    return build


def ai_quota_used_up(attr: str) -> Callable:
    """W's AI summaries for this month all spent (W is on Business)."""

    def build(world) -> dict:
        limit = Plan.objects.get(code="business").ai_summaries_per_month
        UsageRecord.objects.create(workspace=world.workspace, quota="ai_summaries", amount=limit)
        return {"pk": getattr(world, attr).pk}

    return build


def owners_notification(world) -> dict:
    return {"pk": NotificationFactory(user=world.owner).pk}


def outsiders_notification(world) -> dict:
    return {"pk": NotificationFactory(user=world.outsider).pk}


@dataclass(frozen=True)
class Call:
    id: str
    url_name: str
    method: str
    status: int
    kwargs: Callable = nothing
    body: Callable | None = None
    caller: Callable = owner
    # Endpoints about the workspace itself name it in the path, not in the header.
    header: bool = True
    # On success: the verbs written, in order, and the target of each.
    verbs: tuple = ()
    targets: tuple = ()
    # Where the events land when not in W (creating a team writes into the new team).
    in_new_team: bool = False
    # Deleting a team records it in the deleter's personal workspace (the team's log is gone).
    in_personal_workspace: bool = False
    # Reaches Stripe: runs against the local stand-in, with the plans priced.
    stripe: bool = False
    # Query parameters (Maycole's `PUT notifications?preferences=true`).
    query: dict = field(default_factory=dict)


def ok(id_, url_name, method, status, verbs, targets, **fields) -> Call:
    return Call(id_, url_name, method, status, verbs=verbs, targets=targets, **fields)


MUTATIONS = [
    ok("teams.post", "teams", "POST", 201, (Verb.WORKSPACE_CREATED,), (created,),
       body=body({"name": "Second team"}), header=False, in_new_team=True),
    *[
        ok(f"team.{method.lower()}", "team", method, 200, (Verb.WORKSPACE_UPDATED,),
           (at("workspace"),), kwargs=team, body=body({"name": "Renamed team"}), header=False)
        for method in ("PUT", "PATCH")
    ],
    # The team goes with its events; the deletion is recorded in the deleter's personal
    # workspace (test_deleting_a_team_deletes_its_events_with_it).
    ok("team.delete", "team", "DELETE", 204, (Verb.WORKSPACE_DELETED,), (at("workspace"),),
       kwargs=team, header=False, in_personal_workspace=True),
    ok("team-members.post", "team-members", "POST", 201, (Verb.INVITE_CREATED,), (created,),
       kwargs=team, body=body({"email": "newcomer@example.com"}), header=False),
    *[
        ok(f"team-member.{method.lower()}", "team-member", method, 200,
           (Verb.MEMBER_ROLE_CHANGED,), (at("colleague"),), kwargs=team_member("colleague"),
           body=body({"role": "viewer"}), header=False)
        for method in ("PUT", "PATCH")
    ],
    ok("team-member.delete", "team-member", "DELETE", 204, (Verb.MEMBER_REMOVED,),
       (at("colleague"),), kwargs=team_member("colleague"), header=False),
    ok("team-member.delete.leave", "team-member", "DELETE", 204, (Verb.MEMBER_LEFT,),
       (at("owner"),), kwargs=team_member("owner"), header=False),
    ok("team-transfer-ownership.post", "team-transfer-ownership", "POST", 200,
       (Verb.WORKSPACE_OWNERSHIP_TRANSFERRED,), (at("colleague"),), kwargs=team,
       body=lambda world: {"userId": str(world.colleague.pk)}, header=False),
    ok("team-invites.post", "team-invites", "POST", 201, (Verb.INVITE_CREATED,), (created,),
       kwargs=team, body=body({"email": "newcomer@example.com", "role": "admin"}),
       header=False),
    ok("team-invite.delete", "team-invite", "DELETE", 200, (Verb.INVITE_REVOKED,),
       (at("invite"),), kwargs=team_invite(), header=False),
    ok("team-invite-resend.post", "team-invite-resend", "POST", 200, (Verb.INVITE_RESENT,),
       (at("invite"),), kwargs=team_invite(), header=False),
    ok("invite-accept.post", "invite-accept", "POST", 200,
       (Verb.INVITE_ACCEPTED, Verb.MEMBER_JOINED), (at("invite"), lambda w, d: d["user"]["id"]),
       body=token, caller=the_invitee, header=False),
    ok("invite-decline.post", "invite-decline", "POST", 200, (Verb.INVITE_DECLINED,),
       (at("invite"),), body=token, caller=the_invitee, header=False),
    ok("clients.post", "clients", "POST", 201, (Verb.CLIENT_CREATED,), (created,),
       body=body({"name": "Hooli", "email": "hooli@example.com"})),
    ok("client.patch", "client", "PATCH", 200, (Verb.CLIENT_UPDATED,), (at("client"),),
       kwargs=of("client"), body=body({"status": "paused"})),
    ok("client.delete", "client", "DELETE", 204, (Verb.CLIENT_DELETED,), (at("client"),),
       kwargs=of("client")),
    *[
        ok(f"client-archive.{method.lower()}", "client-archive", method, 200,
           (Verb.CLIENT_ARCHIVED,), (at("client"),), kwargs=of("client"))
        for method in ("PATCH", "POST")
    ],
    *[
        ok(f"client-unarchive.{method.lower()}", "client-unarchive", method, 200,
           (Verb.CLIENT_UNARCHIVED,), (at("archived_client"),), kwargs=of("archived_client"))
        for method in ("PATCH", "POST")
    ],
    ok("client-projects.post", "client-projects", "POST", 201, (Verb.PROJECT_CREATED,),
       (created,), kwargs=of("client", "client_pk"), body=body({"name": "Brand refresh"})),
    ok("client-notes.post", "client-notes", "POST", 201, (Verb.NOTE_CREATED,), (created,),
       kwargs=of("client", "client_pk"), body=body({"body": "<p>Called them.</p>"})),
    ok("project.patch", "project", "PATCH", 200, (Verb.PROJECT_UPDATED,), (at("project"),),
       kwargs=of("project"), body=body({"status": "on_hold"})),
    ok("project.delete", "project", "DELETE", 204, (Verb.PROJECT_DELETED,), (at("project"),),
       kwargs=of("project")),
    ok("project-milestones.post", "project-milestones", "POST", 201, (Verb.MILESTONE_CREATED,),
       (created,), kwargs=of("project", "project_pk"), body=body({"title": "Launch"})),
    ok("project-milestone.patch", "project-milestone", "PATCH", 200, (Verb.MILESTONE_UPDATED,),
       (at("milestone"),), kwargs=milestone_of("project", "milestone"),
       body=body({"title": "Design approved"})),
    ok("project-milestone.patch.done", "project-milestone", "PATCH", 200,
       (Verb.MILESTONE_COMPLETED,), (at("milestone"),),
       kwargs=milestone_of("project", "milestone"), body=body({"done": True})),
    ok("project-milestone.patch.reopen", "project-milestone", "PATCH", 200,
       (Verb.MILESTONE_REOPENED,), (at("milestone"),), kwargs=done_milestone,
       body=body({"done": False})),
    ok("project-milestone.delete", "project-milestone", "DELETE", 204,
       (Verb.MILESTONE_DELETED,), (at("milestone"),),
       kwargs=milestone_of("project", "milestone")),
    ok("project-notes.post", "project-notes", "POST", 201, (Verb.NOTE_CREATED,), (created,),
       kwargs=of("project", "project_pk"), body=body({"body": "<p>Standup.</p>"})),
    ok("note.patch", "note", "PATCH", 200, (Verb.NOTE_UPDATED,), (at("project_note"),),
       kwargs=of("project_note"), body=body({"body": "<p>Edited.</p>", "version": 2})),
    ok("note.delete", "note", "DELETE", 204, (Verb.NOTE_DELETED,), (at("project_note"),),
       kwargs=of("project_note")),
    ok("time-entries.post", "time-entries", "POST", 201, (Verb.TIME_ENTRY_CREATED,),
       (created,), body=manual_entry()),
    ok("timer-start.post", "timer-start", "POST", 201, (Verb.TIMER_STARTED,), (created,),
       body=lambda world: {"projectId": str(world.project.pk)}),
    ok("time-entry.patch", "time-entry", "PATCH", 200, (Verb.TIME_ENTRY_UPDATED,),
       (at("entry"),), kwargs=of("entry"), body=body({"description": "Reviewed"})),
    ok("time-entry.delete", "time-entry", "DELETE", 204, (Verb.TIME_ENTRY_DELETED,),
       (at("entry"),), kwargs=of("entry")),
    ok("time-entry-stop.post", "time-entry-stop", "POST", 200, (Verb.TIMER_STOPPED,),
       (at("timer"),), kwargs=of("timer")),
    # A user's own preferences are not workspace data: no event.
    ok("settings.put", "settings", "PUT", 200, (), (),
       body=body({"theme": "dark", "itemsPerPage": 50}), header=False),
    # A user's own notifications and their preferences are not workspace data: no event.
    ok("notifications.post", "notifications", "POST", 201, (), (),
       body=body({"title": "Call the printer"}), header=False),
    ok("notifications.put", "notifications", "PUT", 200, (), (),
       body=body({"reminderWindowDays": 3}), query={"preferences": "true"}, header=False),
    ok("notification-read.put", "notification-read", "PUT", 200, (), (),
       kwargs=owners_notification, header=False),
    ok("notifications-read-all.put", "notifications-read-all", "PUT", 200, (), (),
       header=False),
    ok("notification.delete", "notification", "DELETE", 204, (), (),
       kwargs=owners_notification, header=False),
    ok("notification-preferences.patch", "notification-preferences", "PATCH", 200, (), (),
       body=body({"kinds": {"invite": {"email": False}}}), header=False),
    ok("api-keys.post", "api-keys", "POST", 201, (Verb.API_KEY_CREATED,), (created,),
       body=body({"name": "CI sync", "scopes": ["clients:read"]})),
    ok("api-key.delete", "api-key", "DELETE", 204, (Verb.API_KEY_REVOKED,),
       (lambda world, data: world.api_key.pk,), kwargs=w_key),
    ok("api-key-rotate.post", "api-key-rotate", "POST", 201, (Verb.API_KEY_ROTATED,),
       (created,), kwargs=w_key),
    # Billing, against the local Stripe stand-in.
    ok("payments.post", "payments", "POST", 201, (Verb.PAYMENT_CREATED,), (created,),
       body=body({"amount": 2500}), stripe=True),
    ok("payment-refund.post", "payment-refund", "POST", 201, (Verb.REFUND_CREATED,),
       (lambda world, data: world.payment.pk,), kwargs=paid_payment,
       body=body({"amount": 1000}), stripe=True),
    ok("subscriptions.post", "subscriptions", "POST", 201, (Verb.SUBSCRIPTION_CREATED,),
       (created,), kwargs=unsubscribed, body=body({"plan": "pro"}), stripe=True),
    ok("subscription-checkout.post", "subscription-checkout", "POST", 201,
       (Verb.CHECKOUT_STARTED,), (lambda world, data: Plan.objects.get(code="pro").pk,),
       kwargs=unsubscribed, body=body({"plan": "pro"}), stripe=True),
    # A portal link changes nothing.
    ok("subscription-portal.post", "subscription-portal", "POST", 200, (), (),
       kwargs=with_customer, stripe=True),
    ok("subscription.put", "subscription", "PUT", 200, (Verb.SUBSCRIPTION_UPDATED,),
       (lambda world, data: data["id"],), kwargs=stripe_subscription,
       body=body({"cancelAtPeriodEnd": True}), stripe=True),
    ok("files-upload.post", "files-upload", "POST", 201, (Verb.FILE_UPLOADED,), (created,),
       body=upload_body("client")),
    ok("files-upload.post.project", "files-upload", "POST", 201, (Verb.FILE_UPLOADED,),
       (created,), body=upload_body("project")),
    ok("upload.post", "upload", "POST", 201, (Verb.FILE_UPLOADED,), (created,),
       body=upload_body(None)),
    ok("file.delete", "file", "DELETE", 204, (Verb.FILE_DELETED,), (the_file,), kwargs=w_file),
    # A read, but an audited one: every download link issued is an event.
    ok("file-download.get", "file-download", "GET", 200, (Verb.FILE_DOWNLOADED,), (the_file,),
       kwargs=w_file),
    ok("ai-summarize-project.post", "ai-summarize-project", "POST", 200,
       (Verb.AI_SUMMARY_CREATED,), (created,), kwargs=of("project")),
    ok("ai-summarize-client.post", "ai-summarize-client", "POST", 200,
       (Verb.AI_SUMMARY_CREATED,), (created,), kwargs=of("client")),
    ok("ai-summarize-project.post.cached", "ai-summarize-project", "POST", 200, (), (),
       kwargs=summarized("project")),
]  # fmt: skip


def fail(id_, url_name, method, status, **fields) -> Call:
    return Call(id_, url_name, method, status, **fields)


VIEWER, MEMBER, ADMIN = as_("viewer"), as_("member"), as_("admin")

INVALID = [
    fail("teams.post", "teams", "POST", 400, body=body({"name": ""}), header=False),
    fail("team.put", "team", "PUT", 400, kwargs=team, body=body({"name": ""}), header=False),
    fail("team.patch", "team", "PATCH", 400, kwargs=team, body=body({"name": 5}), header=False),
    fail("team-members.post", "team-members", "POST", 400, kwargs=team,
         body=body({"email": "not-an-email"}), header=False),
    fail("team-member.put", "team-member", "PUT", 400, kwargs=team_member("colleague"),
         body=body({"role": "emperor"}), header=False),
    fail("team-member.patch", "team-member", "PATCH", 400, kwargs=team_member("colleague"),
         body=body({}), header=False),
    fail("team-transfer-ownership.post", "team-transfer-ownership", "POST", 400, kwargs=team,
         body=body({"userId": "not-an-id"}), header=False),
    fail("team-transfer-ownership.post.to-yourself", "team-transfer-ownership", "POST", 400,
         kwargs=team, body=lambda world: {"userId": str(world.owner.pk)}, header=False),
    fail("team-invites.post", "team-invites", "POST", 400, kwargs=team,
         body=body({"email": "newcomer@example.com", "role": "boss"}), header=False),
    fail("invite-accept.post", "invite-accept", "POST", 400, body=body({}), header=False),
    fail("invite-decline.post", "invite-decline", "POST", 400, body=body({"token": 12}),
         header=False),
    fail("clients.post", "clients", "POST", 400, body=body({"name": ""})),
    fail("client.patch", "client", "PATCH", 400, kwargs=of("client"),
         body=body({"email": "not-an-email"})),
    fail("client-projects.post", "client-projects", "POST", 400,
         kwargs=of("client", "client_pk"),
         body=body({"name": "Late", "startDate": "2030-02-01", "dueDate": "2030-01-01"})),
    fail("client-notes.post", "client-notes", "POST", 400, kwargs=of("client", "client_pk"),
         body=body({"body": "<p> </p>"})),
    fail("project.patch", "project", "PATCH", 400, kwargs=of("project"),
         body=body({"budget": "-5"})),
    fail("project-milestones.post", "project-milestones", "POST", 400,
         kwargs=of("project", "project_pk"), body=body({"title": ""})),
    fail("project-milestone.patch", "project-milestone", "PATCH", 400,
         kwargs=milestone_of("project", "milestone"), body=body({"order": -1})),
    fail("project-notes.post", "project-notes", "POST", 400,
         kwargs=of("project", "project_pk"), body=body({"title": "No body"})),
    fail("note.patch", "note", "PATCH", 400, kwargs=of("project_note"),
         body=body({"version": 0})),
    fail("time-entries.post", "time-entries", "POST", 400,
         body=manual_entry(durationSeconds=0)),
    fail("time-entries.post.another-workspaces-project", "time-entries", "POST", 400,
         body=manual_entry("outsider_project")),
    fail("timer-start.post", "timer-start", "POST", 400, body=body({})),
    fail("timer-start.post.another-workspaces-project", "timer-start", "POST", 400,
         body=lambda world: {"projectId": str(world.outsider_project.pk)}),
    fail("time-entry.patch", "time-entry", "PATCH", 400, kwargs=of("entry"),
         body=lambda world: {"endedAt": (world.entry.started_at - timedelta(hours=1)).isoformat()}),
    fail("settings.put", "settings", "PUT", 400, body=body({"fontSize": 14}), header=False),
    fail("notifications.post", "notifications", "POST", 400, body=body({"title": ""}),
         header=False),
    fail("notifications.put", "notifications", "PUT", 400,
         body=body({"kinds": {"birthday": {"email": False}}}), query={"preferences": "true"},
         header=False),
    fail("notifications.put.without-the-flag", "notifications", "PUT", 400,
         body=body({"reminderWindowDays": 3}), header=False),
    fail("notifications-read-all.put", "notifications-read-all", "PUT", 400,
         body=body({"before": "yesterday"}), header=False),
    fail("notification-preferences.patch", "notification-preferences", "PATCH", 400,
         body=body({"reminderWindowDays": 30}), header=False),
    fail("api-keys.post", "api-keys", "POST", 400,
         body=body({"name": "K", "scopes": ["payroll:read"]})),
    fail("api-keys.post.past-expiry", "api-keys", "POST", 400,
         body=body({"name": "K", "scopes": ["clients:read"],
                    "expiresAt": "2001-01-01T00:00:00Z"})),
    fail("payments.post", "payments", "POST", 400, body=body({"amount": 10})),
    fail("payment-refund.post", "payment-refund", "POST", 400, kwargs=w_payment,
         body=body({"amount": "all"})),
    fail("subscriptions.post", "subscriptions", "POST", 400, kwargs=unsubscribed,
         body=body({"plan": "gold"})),
    fail("subscription.put", "subscription", "PUT", 400, kwargs=w_subscription, body=body({})),
    fail("subscription-checkout.post", "subscription-checkout", "POST", 400, body=body({})),
    fail("files-upload.post", "files-upload", "POST", 400, body=upload_body(parent=None)),
    fail("files-upload.post.double-extension", "files-upload", "POST", 400,
         body=upload_body(name="invoice.pdf.exe", content=samples.pdf())),
    fail("files-upload.post.wrong-content", "files-upload", "POST", 400,
         body=upload_body(name="invoice.pdf", content=samples.exe())),
    fail("files-upload.post.another-workspaces-client", "files-upload", "POST", 400,
         body=upload_body("outsider_client")),
    fail("upload.post", "upload", "POST", 400, body=upload_body(None, content=b"")),
]  # fmt: skip

FORBIDDEN = [
    *[
        fail(f"team.{method.lower()}", "team", method, 403, kwargs=team,
             body=body({"name": "Mine now"}), caller=VIEWER, header=False)
        for method in ("PUT", "PATCH")
    ],
    fail("team.delete", "team", "DELETE", 403, kwargs=team, caller=ADMIN, header=False),
    fail("team-members.post", "team-members", "POST", 403, kwargs=team,
         body=body({"email": "newcomer@example.com"}), caller=MEMBER, header=False),
    *[
        fail(f"team-member.{method.lower()}", "team-member", method, 403,
             kwargs=team_member("colleague"), body=body({"role": "admin"}), caller=MEMBER,
             header=False)
        for method in ("PUT", "PATCH")
    ],
    fail("team-member.put.promote-to-owner", "team-member", "PUT", 403,
         kwargs=team_member("colleague"), body=body({"role": "owner"}), caller=ADMIN,
         header=False),
    fail("team-member.delete", "team-member", "DELETE", 403, kwargs=team_member("colleague"),
         caller=MEMBER, header=False),
    fail("team-member.delete.an-owner", "team-member", "DELETE", 403,
         kwargs=team_member("co_owner"), caller=ADMIN, header=False),
    fail("team-transfer-ownership.post", "team-transfer-ownership", "POST", 403, kwargs=team,
         body=lambda world: {"userId": str(world.admin.pk)}, caller=ADMIN, header=False),
    fail("team-invites.post", "team-invites", "POST", 403, kwargs=team,
         body=body({"email": "newcomer@example.com"}), caller=VIEWER, header=False),
    fail("team-invites.post.owner-role", "team-invites", "POST", 403, kwargs=team,
         body=body({"email": "newcomer@example.com", "role": "owner"}), caller=ADMIN,
         header=False),
    fail("team-invite.delete", "team-invite", "DELETE", 403, kwargs=team_invite(),
         caller=MEMBER, header=False),
    fail("team-invite-resend.post", "team-invite-resend", "POST", 403, kwargs=team_invite(),
         caller=MEMBER, header=False),
    fail("invite-accept.post", "invite-accept", "POST", 403, body=token, caller=MEMBER,
         header=False),
    fail("invite-decline.post", "invite-decline", "POST", 403, body=token, caller=MEMBER,
         header=False),
    fail("clients.post", "clients", "POST", 403, body=body({"name": "Hooli"}), caller=VIEWER),
    fail("client.patch", "client", "PATCH", 403, kwargs=of("client"),
         body=body({"name": "Mine"}), caller=VIEWER),
    fail("client.delete", "client", "DELETE", 403, kwargs=of("client"), caller=VIEWER),
    *[
        fail(f"client-{action}.{method.lower()}", f"client-{action}", method, 403,
             kwargs=of(target), caller=VIEWER)
        for action, target in (("archive", "client"), ("unarchive", "archived_client"))
        for method in ("PATCH", "POST")
    ],
    fail("client-projects.post", "client-projects", "POST", 403,
         kwargs=of("client", "client_pk"), body=body({"name": "P"}), caller=VIEWER),
    fail("client-notes.post", "client-notes", "POST", 403, kwargs=of("client", "client_pk"),
         body=body({"body": "<p>x</p>"}), caller=VIEWER),
    fail("project.patch", "project", "PATCH", 403, kwargs=of("project"),
         body=body({"name": "P"}), caller=VIEWER),
    fail("project.delete", "project", "DELETE", 403, kwargs=of("project"), caller=VIEWER),
    fail("project-milestones.post", "project-milestones", "POST", 403,
         kwargs=of("project", "project_pk"), body=body({"title": "M"}), caller=VIEWER),
    fail("project-milestone.patch", "project-milestone", "PATCH", 403,
         kwargs=milestone_of("project", "milestone"), body=body({"done": True}), caller=VIEWER),
    fail("project-milestone.delete", "project-milestone", "DELETE", 403,
         kwargs=milestone_of("project", "milestone"), caller=VIEWER),
    fail("project-notes.post", "project-notes", "POST", 403,
         kwargs=of("project", "project_pk"), body=body({"body": "<p>x</p>"}), caller=VIEWER),
    fail("note.patch", "note", "PATCH", 403, kwargs=of("project_note"),
         body=body({"body": "<p>x</p>"}), caller=VIEWER),
    fail("note.delete", "note", "DELETE", 403, kwargs=of("project_note"), caller=VIEWER),
    fail("time-entries.post", "time-entries", "POST", 403, body=manual_entry(), caller=VIEWER),
    fail("timer-start.post", "timer-start", "POST", 403,
         body=lambda world: {"projectId": str(world.project.pk)}, caller=VIEWER),
    fail("time-entry.patch", "time-entry", "PATCH", 403, kwargs=of("entry"),
         body=body({"description": "Mine"}), caller=MEMBER),
    fail("time-entry.delete", "time-entry", "DELETE", 403, kwargs=of("entry"), caller=MEMBER),
    fail("time-entry-stop.post", "time-entry-stop", "POST", 403, kwargs=of("timer"),
         caller=MEMBER),
    fail("api-keys.post", "api-keys", "POST", 403, caller=MEMBER,
         body=body({"name": "K", "scopes": ["clients:read"]})),
    fail("api-key.delete", "api-key", "DELETE", 403, kwargs=w_key, caller=MEMBER),
    fail("api-key-rotate.post", "api-key-rotate", "POST", 403, kwargs=w_key, caller=VIEWER),
    fail("payments.post", "payments", "POST", 403, caller=MEMBER, body=body({"amount": 2500})),
    fail("payment-refund.post", "payment-refund", "POST", 403, kwargs=w_payment, caller=MEMBER),
    fail("subscriptions.post", "subscriptions", "POST", 403, caller=VIEWER,
         body=body({"plan": "pro"})),
    fail("subscription.put", "subscription", "PUT", 403, kwargs=w_subscription, caller=MEMBER,
         body=body({"cancelAtPeriodEnd": True})),
    fail("subscription-checkout.post", "subscription-checkout", "POST", 403, caller=MEMBER,
         body=body({"plan": "pro"})),
    fail("subscription-portal.post", "subscription-portal", "POST", 403, caller=VIEWER),
    fail("notifications.post.for-someone-else", "notifications", "POST", 403,
         body=lambda world: {"title": "Hi", "userId": str(world.colleague.pk)}, header=False),
    fail("files-upload.post", "files-upload", "POST", 403, body=upload_body("client"),
         caller=VIEWER),
    fail("upload.post", "upload", "POST", 403, body=upload_body(None), caller=VIEWER),
    fail("file.delete", "file", "DELETE", 403, kwargs=w_file, caller=VIEWER),
    fail("ai-summarize-project.post", "ai-summarize-project", "POST", 403,
         kwargs=of("project"), caller=VIEWER),
    fail("ai-summarize-client.post", "ai-summarize-client", "POST", 403,
         kwargs=of("client"), caller=VIEWER),
]  # fmt: skip

# The owner of W, acting in W, names things that live in the outsider's workspace.
NOT_FOUND = [
    *[
        fail(f"team.{method.lower()}", "team", method, 404,
             kwargs=of("outsider_workspace"), body=body({"name": "Mine now"}), header=False)
        for method in ("PUT", "PATCH", "DELETE")
    ],
    fail("team-members.post", "team-members", "POST", 404, kwargs=of("outsider_workspace"),
         body=body({"email": "newcomer@example.com"}), header=False),
    *[
        fail(f"team-member.{method.lower()}", "team-member", method, 404,
             kwargs=team_member("outsider"), body=body({"role": "viewer"}), header=False)
        for method in ("PUT", "PATCH", "DELETE")
    ],
    fail("team-transfer-ownership.post", "team-transfer-ownership", "POST", 404, kwargs=team,
         body=lambda world: {"userId": str(world.outsider.pk)}, header=False),
    fail("team-invite.delete", "team-invite", "DELETE", 404,
         kwargs=team_invite("outsider_invite"), header=False),
    fail("team-invite-resend.post", "team-invite-resend", "POST", 404,
         kwargs=team_invite("outsider_invite"), header=False),
    fail("invite-accept.post", "invite-accept", "POST", 404,
         body=body({"token": "not-a-real-token"}), header=False),
    fail("invite-decline.post", "invite-decline", "POST", 404,
         body=body({"token": "not-a-real-token"}), header=False),
    fail("client.patch", "client", "PATCH", 404, kwargs=of("outsider_client"),
         body=body({"name": "Mine"})),
    fail("client.delete", "client", "DELETE", 404, kwargs=of("outsider_client")),
    *[
        fail(f"client-{action}.{method.lower()}", f"client-{action}", method, 404,
             kwargs=of("outsider_client"))
        for action in ("archive", "unarchive")
        for method in ("PATCH", "POST")
    ],
    fail("client-projects.post", "client-projects", "POST", 404,
         kwargs=of("outsider_client", "client_pk"), body=body({"name": "P"})),
    fail("client-notes.post", "client-notes", "POST", 404,
         kwargs=of("outsider_client", "client_pk"), body=body({"body": "<p>x</p>"})),
    fail("project.patch", "project", "PATCH", 404, kwargs=of("outsider_project"),
         body=body({"name": "P"})),
    fail("project.delete", "project", "DELETE", 404, kwargs=of("outsider_project")),
    fail("project-milestones.post", "project-milestones", "POST", 404,
         kwargs=of("outsider_project", "project_pk"), body=body({"title": "M"})),
    fail("project-milestone.patch", "project-milestone", "PATCH", 404,
         kwargs=milestone_of("outsider_project", "outsider_milestone"),
         body=body({"done": True})),
    # W's project in the path does not let in another workspace's milestone.
    fail("project-milestone.delete", "project-milestone", "DELETE", 404,
         kwargs=milestone_of("project", "outsider_milestone")),
    fail("project-notes.post", "project-notes", "POST", 404,
         kwargs=of("outsider_project", "project_pk"), body=body({"body": "<p>x</p>"})),
    fail("note.patch", "note", "PATCH", 404, kwargs=of("outsider_note"),
         body=body({"body": "<p>x</p>"})),
    fail("note.delete", "note", "DELETE", 404, kwargs=of("outsider_note")),
    fail("time-entry.patch", "time-entry", "PATCH", 404, kwargs=of("outsider_entry"),
         body=body({"description": "Mine"})),
    fail("time-entry.delete", "time-entry", "DELETE", 404, kwargs=of("outsider_entry")),
    fail("time-entry-stop.post", "time-entry-stop", "POST", 404, kwargs=of("outsider_entry")),
    fail("api-key.delete", "api-key", "DELETE", 404, kwargs=outsider_key),
    fail("api-key-rotate.post", "api-key-rotate", "POST", 404, kwargs=outsider_key),
    fail("payment-refund.post", "payment-refund", "POST", 404, kwargs=outsider_payment),
    fail("subscription.put", "subscription", "PUT", 404, kwargs=outsider_subscription,
         body=body({"cancelAtPeriodEnd": True})),
    fail("notification-read.put", "notification-read", "PUT", 404,
         kwargs=outsiders_notification, header=False),
    fail("notification.delete", "notification", "DELETE", 404, kwargs=outsiders_notification,
         header=False),
    fail("file.delete", "file", "DELETE", 404, kwargs=outsider_file),
    fail("ai-summarize-project.post", "ai-summarize-project", "POST", 404,
         kwargs=of("outsider_project")),
    fail("ai-summarize-client.post", "ai-summarize-client", "POST", 404,
         kwargs=of("outsider_client")),
]  # fmt: skip

CONFLICT = [
    fail("team.delete.personal", "team", "DELETE", 409, kwargs=personal, header=False),
    fail("team-member.delete.leave-personal", "team-member", "DELETE", 409,
         kwargs=lambda world: {"pk": world.owner.personal_workspace.pk,
                               "user_id": world.owner.pk}, header=False),
    fail("team-member.put.last-owner", "team-member", "PUT", 409,
         kwargs=lambda world: {"pk": world.owner.personal_workspace.pk,
                               "user_id": world.owner.pk},
         body=body({"role": "admin"}), header=False),
    fail("team-transfer-ownership.post.personal", "team-transfer-ownership", "POST", 409,
         kwargs=personal, body=lambda world: {"userId": str(world.owner.pk)}, header=False),
    fail("team-members.post.already-a-member", "team-members", "POST", 409, kwargs=team,
         body=lambda world: {"email": world.viewer.email}, header=False),
    fail("team-invites.post.already-invited", "team-invites", "POST", 409, kwargs=team,
         body=lambda world: {"email": world.invite.email}, header=False),
    fail("team-invite.delete.revoked", "team-invite", "DELETE", 409, kwargs=revoked_invite,
         header=False),
    fail("team-invite-resend.post.revoked", "team-invite-resend", "POST", 409,
         kwargs=revoked_invite, header=False),
    fail("invite-accept.post.accepted", "invite-accept", "POST", 409, body=accepted_token,
         caller=accepted_invitee, header=False),
    fail("invite-decline.post.accepted", "invite-decline", "POST", 409, body=accepted_token,
         caller=accepted_invitee, header=False),
    *[
        fail(f"client-archive.{method.lower()}.archived", "client-archive", method, 409,
             kwargs=of("archived_client"))
        for method in ("PATCH", "POST")
    ],
    *[
        fail(f"client-unarchive.{method.lower()}.active", "client-unarchive", method, 409,
             kwargs=of("client"))
        for method in ("PATCH", "POST")
    ],
    fail("client-projects.post.archived-client", "client-projects", "POST", 409,
         kwargs=of("archived_client", "client_pk"), body=body({"name": "P"})),
    fail("note.patch.stale-version", "note", "PATCH", 409, kwargs=of("project_note"),
         body=body({"body": "<p>Overwrite</p>", "version": 1})),
    fail("timer-start.post.running", "timer-start", "POST", 409,
         body=lambda world: {"projectId": str(world.project.pk)}, caller=owner_with_a_timer),
    fail("time-entry-stop.post.stopped", "time-entry-stop", "POST", 409, kwargs=of("entry")),
    fail("api-key.delete.revoked", "api-key", "DELETE", 409, kwargs=revoked_w_key),
    fail("api-key-rotate.post.revoked", "api-key-rotate", "POST", 409, kwargs=revoked_w_key),
    fail("payment-refund.post.unpaid", "payment-refund", "POST", 409, kwargs=unpaid_payment),
    fail("subscriptions.post.subscribed", "subscriptions", "POST", 409, body=body({"plan": "pro"})),
    fail("subscription-checkout.post.subscribed", "subscription-checkout", "POST", 409,
         body=body({"plan": "pro"})),
    fail("subscription-portal.post.no-customer", "subscription-portal", "POST", 409),
    # 402: nothing spent, nothing made.
    fail("ai-summarize-project.post.quota-used-up", "ai-summarize-project", "POST", 402,
         kwargs=ai_quota_used_up("project")),
    fail("ai-summarize-client.post.quota-used-up", "ai-summarize-client", "POST", 402,
         kwargs=ai_quota_used_up("client")),
]  # fmt: skip

FAILURES = [
    pytest.param(call, id=f"{call.id}-{call.status}")
    for call in (*INVALID, *FORBIDDEN, *NOT_FOUND, *CONFLICT)
]
SNAPSHOT_MODELS = (
    Workspace, Membership, Invite, Client, Project, Milestone, Note, NoteVersion, TimeEntry,
    ActivityEvent, ActivityChainHead, ApiKey, Customer, Subscription, Payment, Refund,
    UserPreference, FileAsset, UsageRecord, Summary, SummaryJob, Notification,
    NotificationPreference, EmailDelivery,
)  # fmt: skip


def perform(call: Call, world, client_for, request=None):
    """Prepare what the call needs; answer the caller and a function that makes the call."""
    if call.stripe:
        STRIPE["fake"] = request.getfixturevalue("fake_stripe")
        Plan.objects.filter(code="pro").update(stripe_price_id="price_pro_month")
        Plan.objects.filter(code="business").update(stripe_price_id="price_business_month")
    user = call.caller(world)
    api = client_for(user)
    url = reverse(call.url_name, kwargs=call.kwargs(world))
    data = call.body(world) if call.body else None
    headers = world.header if call.header else {}
    return user, lambda: send(api, call.method, url, data, query=call.query, headers=headers)


def snapshot() -> dict:
    return {
        model.__name__: list(model.objects.order_by("pk").values()) for model in SNAPSHOT_MODELS
    }


def data_of(response) -> dict:
    if response.status_code == 204:
        return {}
    return orjson.loads(response.content)["data"]


@pytest.mark.parametrize("call", [pytest.param(call, id=call.id) for call in MUTATIONS])
def test_a_successful_mutation_writes_exactly_its_events(call, world, client_for, request):
    user, make_call = perform(call, world, client_for, request)
    before = set(ActivityEvent.objects.values_list("pk", flat=True))

    response = make_call()

    assert response.status_code == call.status, response.content[:500]
    data = data_of(response)
    events = list(ActivityEvent.objects.exclude(pk__in=before).order_by("seq"))
    assert [event.verb for event in events] == list(call.verbs)
    workspace_id = data["id"] if call.in_new_team else world.workspace.pk
    if call.in_personal_workspace:
        workspace_id = user.personal_workspace.pk
    for event, target in zip(events, call.targets, strict=True):
        assert str(event.workspace_id) == str(workspace_id)
        assert event.actor_id == user.pk
        assert event.actor_label == user.email
        assert event.ip_address == "127.0.0.1"
        assert event.request_id == response["X-Request-ID"]
        assert event.target_id is not None
        assert str(event.target_id) == str(target(world, data))


def test_deleting_a_team_deletes_its_events_with_it(world, client_for):
    api = client_for(world.owner)

    response = api.delete(reverse("team", kwargs={"pk": world.workspace.pk}))

    assert response.status_code == 204
    assert not Workspace.objects.filter(pk=world.workspace.pk).exists()
    assert not ActivityEvent.objects.filter(workspace_id=world.workspace.pk).exists()
    record = ActivityEvent.objects.get(verb=Verb.WORKSPACE_DELETED)
    assert record.workspace_id == world.owner.personal_workspace.pk
    assert record.actor == world.owner
    assert record.target_id == world.workspace.pk
    assert record.target_label == world.workspace.name


# Stripe's webhook has no actor and its body must be signed byte for byte;
# apps/billing/tests/test_webhooks.py covers it (applied once, bad signature changes nothing).
COVERED_ELSEWHERE = {("stripe-webhook", "POST")}


def test_every_mutating_endpoint_has_a_success_case_and_a_failure_case():
    endpoints = {key for key in app_endpoints() if key[1] in MUTATING} - COVERED_ELSEWHERE
    succeeding = {(call.url_name, call.method) for call in MUTATIONS}
    failing = {
        (call.url_name, call.method) for call in (*INVALID, *FORBIDDEN, *NOT_FOUND, *CONFLICT)
    }
    assert sorted(endpoints - succeeding) == []
    assert sorted(endpoints - failing) == []


@pytest.mark.parametrize("call", FAILURES)
def test_a_failed_mutation_writes_no_event_and_changes_no_row(call, world, client_for):
    _, make_call = perform(call, world, client_for)
    events_before = ActivityEvent.objects.count()
    rows_before = snapshot()

    response = make_call()

    assert response.status_code == call.status, response.content[:500]
    assert ActivityEvent.objects.count() == events_before
    assert snapshot() == rows_before


# --- The hash chain ---------------------------------------------------------------------------


def verify_chains() -> str:
    out = io.StringIO()
    call_command("verify_activity_chain", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_chains_hold_after_every_mutation_and_name_an_edited_event(
    make_world, client_for, request
):
    for call in MUTATIONS:
        world = make_world()
        _, make_call = perform(call, world, client_for, request)
        assert make_call().status_code == call.status, call.id
    assert verify_chains().startswith("OK:")

    event = ActivityEvent.objects.filter(workspace=world.workspace).order_by("seq")[2]
    ActivityEvent.objects.filter(pk=event.pk).update(changes={"status": ["active", "forged"]})

    with pytest.raises(CommandError) as error:
        verify_chains()
    assert f"event #{event.seq} ({event.pk})" in str(error.value)
    assert "edited" in str(error.value)


def test_deleting_the_newest_event_is_caught_by_the_chain_head(world, client_for):
    api = client_for(world.owner)
    for name in ("Hooli", "Pied Piper"):
        response = api.post(reverse("clients"), {"name": name}, format="json", **world.header)
        assert response.status_code == 201
    assert verify_chains().startswith("OK:")
    newest = ActivityEvent.objects.filter(workspace=world.workspace).order_by("-seq").first()

    ActivityEvent.objects.filter(pk=newest.pk).delete()

    with pytest.raises(CommandError) as error:
        verify_chains()
    message = str(error.value)
    assert f"ends at #{newest.seq - 1}" in message
    assert f"head records #{newest.seq}" in message


# --- The audit log ----------------------------------------------------------------------------


def audit_log(api, world, **query):
    response = api.get(reverse("audit-logs"), {"limit": 100, **query}, **world.header)
    return response


def rows_of(response) -> list[dict]:
    assert response.status_code == 200, response.content[:500]
    body = orjson.loads(response.content)
    assert body["meta"]["hasMore"] is False
    return body["data"]


def events_in(world):
    return ActivityEvent.objects.filter(workspace=world.workspace)


@pytest.fixture
def history(world, login):
    """W's log over three days, by the owner and the admin; answers the three moments."""
    now = timezone.now().replace(microsecond=0)
    moments = [now - timedelta(days=2), now - timedelta(days=1), now]
    for moment, actor, name in zip(
        moments, (world.admin, world.owner, world.admin), "ABC", strict=True
    ):
        with time_machine.travel(moment, tick=False):
            api = login(actor)[0]
            response = api.post(
                reverse("clients"), {"name": f"Client {name}"}, format="json", **world.header
            )
            assert response.status_code == 201
            client_id = orjson.loads(response.content)["data"]["id"]
            response = api.post(
                reverse("client-projects", kwargs={"client_pk": client_id}),
                {"name": f"Project {name}"},
                format="json",
                **world.header,
            )
            assert response.status_code == 201
    return moments


def test_the_audit_report_counts_match_the_rows(world, history, client_for):
    api = client_for(world.owner)

    response = audit_log(api, world, report="true")

    assert response.status_code == 200
    report = orjson.loads(response.content)["data"]
    events = list(events_in(world))
    assert report["total"] == len(events)
    assert {row["action"]: row["count"] for row in report["byAction"]} == Counter(
        event.verb for event in events
    )
    assert {(row["actorId"], row["label"]): row["count"] for row in report["byActor"]} == Counter(
        (str(event.actor_id), event.actor_label) for event in events
    )
    by_day = {row["day"]: row["count"] for row in report["byDay"]}
    assert by_day == Counter(event.created_at.date().isoformat() for event in events)
    assert len(by_day) == 3


def test_the_audit_report_counts_only_the_filtered_rows(world, history, client_for):
    api = client_for(world.owner)

    response = audit_log(api, world, report="true", actor=str(world.admin.pk))

    report = orjson.loads(response.content)["data"]
    assert report["total"] == events_in(world).filter(actor=world.admin).count() == 4
    assert [row["actorId"] for row in report["byActor"]] == [str(world.admin.pk)]


def test_the_audit_export_is_a_csv_line_per_event_with_formulas_neutralized(world, client_for):
    api = client_for(world.owner)
    formulas = ['=HYPERLINK("http://evil.example/steal","Click me")', "@SUM(A1:A9)"]
    for name in formulas:
        response = api.post(reverse("clients"), {"name": name}, format="json", **world.header)
        assert response.status_code == 201
    seqs_before = list(events_in(world).order_by("seq").values_list("seq", flat=True))

    response = audit_log(api, world, export="true")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(content_of(response).decode("utf-8"))))
    assert lines[0] == [
        "seq", "time", "actor", "action", "resource", "resource_id", "resource_label",
        "changes", "ip_address", "user_agent", "request_id", "hash",
    ]  # fmt: skip
    rows = [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]
    exported = events_in(world).get(verb=Verb.AUDIT_LOG_EXPORTED)
    seqs = [int(row["seq"]) for row in rows]
    # The export's own event may or may not make its own file; every earlier event must.
    assert seqs in (seqs_before, [*seqs_before, exported.seq])
    labels = {row["resource_label"] for row in rows if row["action"] == Verb.CLIENT_CREATED}
    assert {"'" + name for name in formulas} <= labels
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())


def test_exporting_the_audit_log_is_itself_an_audit_event(world, client_for):
    api = client_for(world.owner)
    before = set(ActivityEvent.objects.values_list("pk", flat=True))

    response = audit_log(api, world, export="true", action="client.created")
    content_of(response)

    events = list(ActivityEvent.objects.exclude(pk__in=before))
    assert [event.verb for event in events] == [Verb.AUDIT_LOG_EXPORTED]
    event = events[0]
    assert event.workspace_id == world.workspace.pk
    assert event.actor_id == world.owner.pk
    assert event.ip_address == "127.0.0.1"
    assert event.request_id == response["X-Request-ID"]
    assert event.target_id == world.workspace.pk
    assert "action" in event.changes


def test_the_audit_log_filters_by_actor(world, history, client_for):
    rows = rows_of(audit_log(client_for(world.owner), world, actor=str(world.admin.pk)))

    assert {row["actor"]["id"] for row in rows} == {str(world.admin.pk)}
    assert len(rows) == events_in(world).filter(actor=world.admin).count() == 4


def test_the_audit_log_filters_by_action(world, history, client_for):
    api = client_for(world.owner)

    one = rows_of(audit_log(api, world, action="project.created"))
    two = rows_of(audit_log(api, world, action="project.created,client.archived"))

    assert {row["verb"] for row in one} == {"project.created"}
    assert len(one) == events_in(world).filter(verb="project.created").count() == 4
    assert {row["verb"] for row in two} == {"project.created", "client.archived"}
    assert len(two) == len(one) + 1


def test_the_audit_log_filters_by_resource(world, history, client_for):
    rows = rows_of(audit_log(client_for(world.owner), world, resource="project"))

    assert {row["target"]["type"] for row in rows} == {"project"}
    assert len(rows) == events_in(world).filter(target_type="project").count()


def test_the_audit_log_filters_by_time(world, history, client_for):
    api = client_for(world.owner)
    _, yesterday, _ = history

    since = rows_of(audit_log(api, world, **{"from": yesterday.isoformat()}))
    until = rows_of(audit_log(api, world, to=yesterday.isoformat()))

    assert len(since) + len(until) == events_in(world).count()
    assert {row["target"]["label"] for row in until} == {"Client A", "Project A"}
    assert "Client A" not in {row["target"]["label"] for row in since}
    assert {"Client B", "Client C"} <= {row["target"]["label"] for row in since}


def test_an_unknown_audit_action_is_a_validation_error(world, client_for):
    response = audit_log(client_for(world.owner), world, action="client.teleported")

    assert response.status_code == 400
    assert orjson.loads(response.content)["error"]["code"] == "VALIDATION_ERROR"
