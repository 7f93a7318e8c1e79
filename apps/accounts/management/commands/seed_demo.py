import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.crm import services as crm
from apps.crm.models import Client, Project
from apps.workspaces import services as workspaces
from apps.workspaces.models import Membership, Workspace
from apps.workspaces.roles import Role

DEMO_USERS = [
    {"email": "admin@example.com", "name": "Ada Admin", "is_staff": True, "is_superuser": True},
    {"email": "demo@example.com", "name": "Dana Demo", "is_staff": False, "is_superuser": False},
]
STUDIO_NAME = "Demo Studio"


@dataclass
class DemoProject:
    name: str
    description: str
    status: str
    start: int  # days from today
    due: int
    budget: str
    rate: str
    milestones: list[tuple[str, int, bool]] = field(default_factory=list)  # title, due, done
    time: list[tuple[int, float, str]] = field(default_factory=list)  # days ago, hours, what
    note: tuple[str, str] | None = None  # title, HTML body


@dataclass
class DemoClient:
    name: str
    company: str
    email: str
    status: str = Client.Status.ACTIVE
    phone: str = ""
    archived: bool = False
    projects: list[DemoProject] = field(default_factory=list)
    note: tuple[str, str] | None = None
    note_edit: str | None = None  # a later body, so the note has a version


STUDIO_CLIENTS = [
    DemoClient(
        "Olivia Hart",
        "Northwind Traders",
        "olivia@northwind.example",
        phone="+1 555 0101",
        note=(
            "Kick-off call",
            "<p>Olivia wants the new site live <strong>before the spring catalogue</strong>.</p>"
            "<ul><li>Keep the order form</li><li>New product photos</li></ul>",
        ),
        note_edit=(
            "<p>Olivia wants the new site live <strong>before the spring catalogue</strong>.</p>"
            "<ul><li>Keep the order form</li><li>New product photos</li>"
            "<li>Add a store locator (agreed on the follow-up call)</li></ul>"
        ),
        projects=[
            DemoProject(
                "Website redesign",
                "New marketing site and product catalogue.",
                Project.Status.ACTIVE,
                start=-30,
                due=20,
                budget="12000",
                rate="95",
                milestones=[("Wireframes", -14, True), ("Visual design", 2, False)],
                time=[(3, 2.5, "Homepage layout"), (2, 3, "Catalogue templates")],
            ),
            DemoProject(
                "SEO audit",
                "Crawl, fix list and a keyword plan.",
                Project.Status.PLANNING,
                start=7,
                due=21,
                budget="3000",
                rate="85",
                milestones=[("Audit report", 14, False)],
            ),
        ],
    ),
    DemoClient(
        "Marcus Webb",
        "Globex Corporation",
        "marcus.webb@globex.example",
        phone="+1 555 0142",
        projects=[
            DemoProject(
                "Mobile app MVP",
                "iOS and Android app for field engineers.",
                Project.Status.ACTIVE,
                start=-60,
                due=45,
                budget="48000",
                rate="120",
                milestones=[
                    ("Clickable prototype", -30, True),
                    ("Beta release", 5, False),
                    ("Store submission", 40, False),
                ],
                time=[(1, 4, "Offline sync"), (4, 1.5, "Sprint planning")],
                note=(
                    "Beta testers",
                    "<p>Twelve engineers from the <em>Springfield</em> depot signed up.</p>",
                ),
            )
        ],
    ),
    DemoClient(
        "Peter Gibbons",
        "Initech",
        "peter@initech.example",
        status=Client.Status.PAUSED,
        projects=[
            DemoProject(
                "TPS report dashboard",
                "Paused until their budget review.",
                Project.Status.ON_HOLD,
                start=-20,
                due=30,
                budget="8000",
                rate="90",
                milestones=[("Data model", 3, False)],
            )
        ],
    ),
    DemoClient(
        "Alice Chen",
        "Umbrella Health",
        "alice.chen@umbrella.example",
        status=Client.Status.COMPLETED,
        projects=[
            DemoProject(
                "Patient portal",
                "Appointments and results online.",
                Project.Status.COMPLETED,
                start=-120,
                due=-10,
                budget="30000",
                rate="110",
                milestones=[("Security review", -25, True), ("Go live", -10, True)],
                time=[(12, 2, "Launch support")],
            )
        ],
    ),
    DemoClient(
        "Tony Ramirez",
        "Stark Industries",
        "tony@stark.example",
        projects=[
            DemoProject(
                "Brand refresh",
                "Logo, colours and a short style guide.",
                Project.Status.ACTIVE,
                start=-10,
                due=14,
                budget="6500",
                rate="100",
                milestones=[("Logo concepts", 1, False), ("Style guide", 12, False)],
            )
        ],
    ),
    DemoClient(
        "Bruce Lane",
        "Wayne Foundation",
        "bruce@wayne.example",
        status=Client.Status.COMPLETED,
        archived=True,
        projects=[
            DemoProject(
                "Annual report",
                "Print and web editions of the annual report.",
                Project.Status.COMPLETED,
                start=-200,
                due=-150,
                budget="4000",
                rate="80",
            )
        ],
    ),
]

PERSONAL_CLIENTS = [
    DemoClient(
        "Jane Cooper",
        "Cooper Bakery",
        "jane@cooperbakery.example",
        projects=[
            DemoProject(
                "Menu boards",
                "Printable seasonal menus.",
                Project.Status.ACTIVE,
                start=-5,
                due=10,
                budget="600",
                rate="60",
            )
        ],
    ),
    DemoClient(
        "Sam Patel",
        "",
        "sam.patel@example.com",
        status=Client.Status.PAUSED,
        note=("Referral", "<p>Referred by Jane; wants a quote for a portfolio site.</p>"),
    ),
]


class Command(BaseCommand):
    help = (
        "Create the demo data: a staff user, a demo user, and a demo team with clients and "
        "projects. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="Password for both demo users (default: a fixed one in DEBUG, else random).",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        # A known password only where it is harmless (DEBUG) or asked for; else a random one
        # for new users, and existing users keep theirs.
        fixed = options["password"] or ("demo-pass-2024" if settings.DEBUG else None)
        users = {}
        for spec in DEMO_USERS:
            user = User.objects.filter(email=spec["email"]).first()
            password = fixed
            if user is None:
                password = fixed or secrets.token_urlsafe(12)
                user = User.objects.create_user(
                    spec["email"],
                    password,
                    name=spec["name"],
                    is_staff=spec["is_staff"],
                    is_superuser=spec["is_superuser"],
                )
                state = "created"
            elif fixed:
                user.set_password(fixed)
                user.save(update_fields=["password"])
                state = "exists"
            else:
                state = "exists, password unchanged"
            EmailAddress.objects.update_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
            users[spec["email"]] = user
            shown = password or "(unchanged)"
            self.stdout.write(f"  {spec['email']:<22} password: {shown}   ({state})")

        demo, admin = users["demo@example.com"], users["admin@example.com"]
        studio = self._studio(owner=demo, admin=admin)
        self._fill(studio, demo, STUDIO_CLIENTS)
        self._fill(Workspace.objects.get(personal_for=demo), demo, PERSONAL_CLIENTS)

        site = settings.SITE_URL.rstrip("/")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"  Sign in:   {site}/accounts/login/")
        self.stdout.write(f"  Dashboard: {site}/dashboard/")
        self.stdout.write(f"  Admin:     {site}/admin/  (admin@example.com)")
        self.stdout.write(f"  API docs:  {site}/api/docs")

    def _studio(self, *, owner: User, admin: User) -> Workspace:
        """The demo team, owned by the demo user, with the staff user as its admin."""
        studio = Workspace.objects.filter(
            name=STUDIO_NAME,
            personal_for__isnull=True,
            memberships__user=owner,
            memberships__role=Role.OWNER,
        ).first()
        if studio is None:
            studio = workspaces.create_workspace(actor=owner, name=STUDIO_NAME)
        if not Membership.objects.filter(workspace=studio, user=admin).exists():
            # The way anyone joins a team: an invite, accepted. Its email finds the invite
            # accepted by the time it would go out, and is not sent.
            membership = Membership.objects.select_related("workspace", "user").get(
                workspace=studio, user=owner
            )
            invite = workspaces.create_invite(
                membership=membership, email=admin.email, role=Role.ADMIN
            )
            workspaces.accept_invite(token=workspaces.invite_token(invite), user=admin)
        return studio

    def _fill(self, workspace: Workspace, actor: User, clients: list[DemoClient]) -> None:
        """Create the clients and their work through the services, once: a workspace that
        has clients already is left as it is."""
        if Client.objects.filter(workspace=workspace).exists():
            self.stdout.write(f"  {workspace.name}: has clients already, left as it is")
            return
        today = timezone.localdate()
        now = timezone.now()
        projects = 0
        for spec in clients:
            client = crm.create_client(
                workspace=workspace,
                actor=actor,
                name=spec.name,
                company=spec.company,
                email=spec.email,
                phone=spec.phone,
                status=spec.status,
            )
            if spec.note:
                title, body = spec.note
                note = crm.create_note(actor=actor, client=client, title=title, body=body)
                if spec.note_edit:
                    crm.update_note(note=note, actor=actor, body=spec.note_edit)
            for project_spec in spec.projects:
                self._project(client, actor, project_spec, today=today, now=now)
                projects += 1
            if spec.archived:
                crm.archive_client(client=client, actor=actor)
        self.stdout.write(
            f"  {workspace.name}: created {len(clients)} clients and {projects} project(s)"
        )

    def _project(self, client, actor, spec: DemoProject, *, today, now) -> None:
        project = crm.create_project(
            client=client,
            actor=actor,
            name=spec.name,
            description=spec.description,
            status=spec.status,
            start_date=today + timedelta(days=spec.start),
            due_date=today + timedelta(days=spec.due),
            budget=Decimal(spec.budget),
            hourly_rate=Decimal(spec.rate),
        )
        for title, due, done in spec.milestones:
            milestone = crm.create_milestone(
                project=project, actor=actor, title=title, due_date=today + timedelta(days=due)
            )
            if done:
                crm.update_milestone(milestone=milestone, actor=actor, data={"done": True})
        for days_ago, hours, description in spec.time:
            started = (now - timedelta(days=days_ago)).replace(
                hour=9, minute=0, second=0, microsecond=0
            )
            crm.create_time_entry(
                actor=actor,
                project=project,
                started_at=started,
                ended_at=started + timedelta(hours=hours),
                description=description,
            )
        if spec.note:
            title, body = spec.note
            crm.create_note(actor=actor, project=project, title=title, body=body)
