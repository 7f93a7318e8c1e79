"""seed_demo's workspaces: a demo team with a believable CRM, written through the services, once."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from apps.accounts.models import User
from apps.activity.models import ActivityEvent
from apps.activity.verbs import Verb
from apps.crm.models import Client, Milestone, Note, NoteVersion, Project, TimeEntry
from apps.workspaces.models import Invite, Membership, Workspace
from apps.workspaces.roles import Role

pytestmark = pytest.mark.django_db

MODELS = [
    User,
    Workspace,
    Membership,
    Invite,
    Client,
    Project,
    Milestone,
    Note,
    NoteVersion,
    TimeEntry,
    ActivityEvent,
]


@pytest.fixture
def seed(django_capture_on_commit_callbacks):
    """Run the command and what it leaves for after the commit, as a real run would."""

    def _seed() -> str:
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("seed_demo", stdout=out)
        return out.getvalue()

    return _seed


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def studio(seed):
    seed()
    return Workspace.objects.get(name="Demo Studio")


def test_running_twice_creates_nothing_new(seed):
    seed()
    first = counts()
    output = seed()
    assert counts() == first
    assert "left as it is" in output


def test_the_activity_chains_hold_after_seeding_twice(seed):
    seed()
    seed()
    out = StringIO()
    call_command("verify_activity_chain", stdout=out)
    assert out.getvalue().startswith("OK:")


def test_demo_user_owns_the_studio_and_the_admin_manages_it(studio):
    roles = dict(studio.memberships.values_list("user__email", "role"))
    assert roles == {"demo@example.com": Role.OWNER, "admin@example.com": Role.ADMIN}
    assert not studio.is_personal


def test_the_admin_joined_through_an_accepted_invite_and_got_no_email(studio):
    invite = Invite.objects.get(workspace=studio)
    assert invite.email == "admin@example.com" and invite.status == Invite.Status.ACCEPTED
    assert ActivityEvent.objects.filter(workspace=studio, verb=Verb.MEMBER_JOINED).exists()
    assert mail.outbox == []


def test_studio_clients_vary_and_one_is_archived(studio):
    clients = Client.objects.filter(workspace=studio)
    assert clients.count() >= 5
    assert set(clients.values_list("status", flat=True)) == {"active", "paused", "completed"}
    assert clients.filter(archived_at__isnull=False).count() == 1


def test_studio_projects_have_dates_budgets_and_rates(studio):
    projects = Project.objects.filter(workspace=studio)
    assert projects.count() >= 6
    assert not projects.filter(start_date__isnull=True).exists()
    assert not projects.filter(due_date__isnull=True).exists()
    assert not projects.filter(budget__isnull=True).exists()
    assert not projects.filter(hourly_rate__isnull=True).exists()
    assert projects.values("status").distinct().count() >= 3


def test_some_milestones_are_done_and_some_are_due_within_days(studio):
    milestones = Milestone.objects.filter(workspace=studio)
    today = timezone.localdate()
    assert milestones.filter(done=True, completed_at__isnull=False).exists()
    assert milestones.filter(
        done=False, due_date__gte=today, due_date__lte=today + timedelta(days=7)
    ).exists()


def test_notes_are_html_and_one_has_an_earlier_version(studio):
    notes = Note.objects.filter(workspace=studio)
    assert notes.exists()
    assert all(note.body.startswith("<p>") for note in notes)
    edited = notes.get(version=2)
    assert edited.versions.count() == 1


def test_time_entries_are_finished_and_billed_at_the_project_rate(studio):
    entries = TimeEntry.objects.filter(workspace=studio).select_related("project")
    assert entries.count() >= 3
    for entry in entries:
        assert entry.ended_at is not None and entry.duration_seconds > 0
        assert entry.hourly_rate == entry.project.hourly_rate
        assert entry.user.email == "demo@example.com"


def test_everything_was_written_as_the_demo_user(studio):
    events = ActivityEvent.objects.filter(workspace=studio)
    assert events.filter(verb=Verb.CLIENT_ARCHIVED).count() == 1
    assert events.filter(verb=Verb.NOTE_UPDATED).count() == 1
    actors = set(events.values_list("actor_label", flat=True))
    assert actors == {"demo@example.com", "admin@example.com"}  # the admin accepted the invite
    assert set(
        events.exclude(verb=Verb.INVITE_ACCEPTED)
        .exclude(verb=Verb.MEMBER_JOINED)
        .values_list("actor_label", flat=True)
    ) == {"demo@example.com"}


def test_the_demo_users_personal_workspace_has_clients_too(studio):
    personal = Workspace.objects.get(personal_for__email="demo@example.com")
    assert Client.objects.filter(workspace=personal).count() == 2


def test_a_studio_emptied_of_clients_is_filled_again(seed, studio):
    Client.objects.filter(workspace=studio).delete()
    seed()
    assert Client.objects.filter(workspace=studio).count() >= 5
    assert Workspace.objects.filter(name="Demo Studio").count() == 1
