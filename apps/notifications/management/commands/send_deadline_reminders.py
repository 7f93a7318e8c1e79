from django.core.management.base import BaseCommand

from apps.notifications.reminders import send_deadline_reminders


class Command(BaseCommand):
    help = "Remind people of milestones and projects due within their window (the daily job)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List who would be reminded; send nothing."
        )

    def handle(self, *args, dry_run, **options):
        run = send_deadline_reminders(dry_run=dry_run)
        verb = "Would remind" if dry_run else "Reminded"
        for email, title, due in run.sent:
            self.stdout.write(f"{verb} {email}: {title} (due {due:%Y-%m-%d})")
        self.stdout.write(
            f"{len(run.sent)} reminders; {run.checked_items} items due soon, {run.people} people."
        )
