from django.core.management.base import BaseCommand, CommandError

from apps.billing.models import StripeEvent
from apps.billing.services import EventFailed, apply_event


class Command(BaseCommand):
    help = "Apply a stored Stripe webhook event again (it re-reads Stripe, so this is safe)."

    def add_arguments(self, parser):
        parser.add_argument("event_id", help="The Stripe event id (evt_...).")

    def handle(self, *args, event_id, **options):
        event = StripeEvent.objects.filter(pk=event_id).first()
        if event is None:
            raise CommandError(f"No stored Stripe event {event_id}.")
        try:
            apply_event(event, force=True)
        except EventFailed as error:
            raise CommandError(f"{event.type} {event.id} failed again: {error}") from error
        self.stdout.write(f"Applied {event.type} {event.id}.")
