from django.core.management.base import BaseCommand

from apps.billing.services import reconcile_with_stripe


class Command(BaseCommand):
    help = "Re-read subscriptions, invoices and unsettled payments from Stripe and repair ours."

    def handle(self, *args, **options):
        report = reconcile_with_stripe()
        self.stdout.write(
            f"{report.customers} customers: repaired {report.subscriptions_repaired} "
            f"subscriptions, {report.invoices_repaired} invoices, "
            f"{report.payments_repaired} payments."
        )
        for error in report.errors:
            self.stderr.write(error)
        if report.errors:
            raise SystemExit(1)
