from django.core.management.base import BaseCommand

from apps.notifications.weekly import send_weekly_summaries


class Command(BaseCommand):
    help = "Send the weekly summary to everyone whose Monday morning it is (the hourly job)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List who would get one; send nothing."
        )

    def handle(self, *args, dry_run, **options):
        run = send_weekly_summaries(dry_run=dry_run)
        verb = "Would send" if dry_run else "Sent"
        for email in run.sent:
            self.stdout.write(f"{verb} the weekly summary to {email}")
        self.stdout.write(
            f"{len(run.sent)} summaries; {run.skipped_empty} people had a quiet week."
        )
