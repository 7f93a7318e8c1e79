"""A small fixed corpus in the signed-in user's workspace, and a stranger's workspace beside it.

Each row is there for one assertion: a name match, a company match, a match deep in a note's
text, a note that says the word over and over, a note whose text carries markup, an archived
client, a file, and look-alikes in another workspace that must never come back.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.crm import services as crm
from apps.crm.models import Client, Note, Project
from apps.crm.tests.factories import ClientFactory, ProjectFactory
from apps.files.models import FileAsset
from apps.files.tests.factories import FileAssetFactory
from apps.workspaces.tests.factories import WorkspaceFactory

SEARCH = "/api/v1/search"


@dataclass
class Corpus:
    workspace: object
    studio: Client  # "Design" in its name
    globex: Client  # "Design" in its company
    archived: Client  # "Design" in its name, archived
    relaunch: Project  # "design" in its description
    kickoff: Note  # "designs" in its body
    repeats: Note  # "design" six times in its body
    script: Note  # markup in its words
    report: FileAsset  # "report" inside a file name the parser reads as one word
    foreign_client: Client  # another workspace: "Design" in its name
    foreign_note: Note
    foreign_file: FileAsset


def _dated(row, days_ago: int):
    """Give the row a distinct creation time, so that date sorting is decidable."""
    moment = timezone.now() - timedelta(days=days_ago)
    type(row).objects.filter(pk=row.pk).update(created_at=moment)
    row.created_at = moment
    return row


@pytest.fixture
def corpus(user) -> Corpus:
    workspace = user.personal_workspace
    studio = ClientFactory(
        workspace=workspace, name="Design Studio Ltd", company="Brightside", email="hello@ds.io"
    )
    globex = ClientFactory(
        workspace=workspace, name="Globex Corporation", company="Design Partners", email=""
    )
    archived = ClientFactory(
        workspace=workspace, name="Design Archive Co", company="", email="old@archive.io"
    )
    archived.archived_at = timezone.now()
    archived.save(update_fields=["archived_at"])
    relaunch = ProjectFactory(
        client=globex, name="Website relaunch", description="Homepage design and the copy deck."
    )
    kickoff = crm.create_note(
        actor=user,
        title="Kickoff",
        body="<p>We walked through the <strong>designs</strong> for the new logo.</p>",
        project=relaunch,
    )
    repeats = crm.create_note(
        actor=user,
        title="Workshop",
        body="<p>design, design, design: design review, design debt, design system</p>",
        client=studio,
    )
    script = crm.create_note(
        actor=user,
        title="Pasted",
        # Escaped in the sanitized HTML, so the note's words hold a literal tag.
        body='<p>&lt;script&gt;alert("design")&lt;/script&gt; \ue000forged\ue001</p>',
        client=globex,
    )
    report = FileAssetFactory(client=globex, original_name="Q3-report_final.pdf")
    stranger = WorkspaceFactory()
    foreign_client = ClientFactory(workspace=stranger, name="Design Secret Inc", company="Hush")
    foreign_note = crm.create_note(
        actor=user, title="Design secrets", body="<p>design design</p>", client=foreign_client
    )
    foreign_file = FileAssetFactory(client=foreign_client, original_name="Design report.pdf")
    for days, row in enumerate([studio, globex, archived, relaunch, kickoff, repeats, script]):
        _dated(row, 30 - days)
    return Corpus(
        workspace=workspace,
        studio=studio,
        globex=globex,
        archived=archived,
        relaunch=relaunch,
        kickoff=kickoff,
        repeats=repeats,
        script=script,
        report=report,
        foreign_client=foreign_client,
        foreign_note=foreign_note,
        foreign_file=foreign_file,
    )


def ids(results) -> list[str]:
    return [row["id"] for row in results]
