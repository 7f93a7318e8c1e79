from django.core.management.base import BaseCommand, CommandError

from apps.activity.chain import verify_workspace_chain
from apps.workspaces.models import Workspace


class Command(BaseCommand):
    help = (
        "Recompute every workspace's activity hash chain and name the first broken link. "
        "Exits non-zero when a chain is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workspace", help="Check only this workspace (its id).")

    def handle(self, *args, workspace=None, **options):
        workspaces = Workspace.objects.order_by("created_at", "id").values_list("pk", flat=True)
        if workspace:
            workspaces = workspaces.filter(pk=workspace)
            if not workspaces.exists():
                raise CommandError(f"No workspace {workspace}.")
        broken = []
        total = 0
        for workspace_id in workspaces.iterator():
            checked, link = verify_workspace_chain(workspace_id)
            total += checked
            if link is not None:
                broken.append(link)
                self.stderr.write(f"BROKEN {link}")
        if broken:
            raise CommandError(
                f"{len(broken)} broken chain(s); the first broken link is: {broken[0]}"
            )
        self.stdout.write(f"OK: {total} events in {workspaces.count()} workspace(s) verified.")
