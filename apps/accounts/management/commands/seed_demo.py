import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.accounts.models import User

DEMO_USERS = [
    {"email": "admin@example.com", "name": "Ada Admin", "is_staff": True, "is_superuser": True},
    {"email": "demo@example.com", "name": "Dana Demo", "is_staff": False, "is_superuser": False},
]


class Command(BaseCommand):
    help = "Create the demo data (a staff user and a demo user). Safe to run again."

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
            shown = password or "(unchanged)"
            self.stdout.write(f"  {spec['email']:<22} password: {shown}   ({state})")
        site = settings.SITE_URL.rstrip("/")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"  Sign in:   {site}/accounts/login/")
        self.stdout.write(f"  Dashboard: {site}/dashboard/")
        self.stdout.write(f"  Admin:     {site}/admin/  (admin@example.com)")
        self.stdout.write(f"  API docs:  {site}/api/docs")
