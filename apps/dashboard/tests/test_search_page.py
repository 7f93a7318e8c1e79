"""The search page: the current workspace's clients, projects, notes and files, with the
matched words in <mark> and everything people wrote shown as text, never as markup."""

import re
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.crm import services as crm
from apps.crm.models import Client, Note, Project
from apps.crm.tests.factories import ClientFactory, ProjectFactory
from apps.dashboard.views.search import highlighted
from apps.files.models import FileAsset
from apps.files.tests.factories import FileAssetFactory
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import MembershipFactory, WorkspaceFactory, member_of

from .helpers import text

pytestmark = pytest.mark.django_db

SEARCH = "/dashboard/search/"
RESULT = re.compile(r'<li class="result">\s*<span class="badge[^"]*">(\w+)</span>(.*?)</li>', re.S)
HREF = re.compile(r'<a href="([^"]+)">')


@dataclass
class Harbour:
    """The team's rows that say "harbour", and a stranger's that must never come back."""

    lights: Client
    pier: Project
    visit: Note  # on the project; its words hold a literal <script> tag
    fees: Note  # on the client
    chart: FileAsset
    foreign: Client


@pytest.fixture
def harbour(team, owner) -> Harbour:
    lights = ClientFactory(workspace=team, name="Harbour Lights Ltd", company="Seaside", email="")
    pier = ProjectFactory(client=lights, name="Pier renovation", description="Harbour wall work")
    visit = crm.create_note(
        actor=owner,
        title="Site visit",
        # Escaped in the sanitized HTML, so the note's words hold a literal tag.
        body='<p>&lt;script&gt;alert("harbour")&lt;/script&gt; The crane is booked.</p>',
        project=pier,
    )
    fees = crm.create_note(
        actor=owner, title="Fees", body="<p>Harbour dues rise.</p>", client=lights
    )
    chart = FileAssetFactory(client=None, project=pier, original_name="harbour-chart.pdf")
    elsewhere = WorkspaceFactory(name="Elsewhere")
    foreign = ClientFactory(workspace=elsewhere, name="Harbour Secrets", company="", email="")
    crm.create_note(actor=owner, title="Harbour plans", body="<p>harbour</p>", client=foreign)
    return Harbour(lights, pier, visit, fees, chart, foreign)


def results(response) -> list[tuple[str, str]]:
    """(type label, link) of each result, top to bottom."""
    found = []
    for label, body in RESULT.findall(text(response)):
        link = HREF.search(body)
        found.append((label, link[1] if link else None))
    return found


def test_signing_in_is_required(client):
    response = client.get(SEARCH, {"q": "harbour"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_header_has_a_search_box_that_opens_this_page(web):
    page = text(web.get("/dashboard/"))

    assert f'<form method="get" action="{SEARCH}" class="switcher" role="search">' in page
    assert '<input type="search" id="site-search" name="q"' in page


def test_search_finds_the_workspaces_rows_each_linking_to_its_page(web, harbour):
    response = web.get(SEARCH, {"q": "harbour"})

    assert response.status_code == 200
    lights, pier = (
        f"/dashboard/clients/{harbour.lights.pk}/",
        f"/dashboard/projects/{harbour.pier.pk}/",
    )
    assert sorted(results(response)) == sorted(
        [
            ("Client", lights),
            ("Project", pier),
            ("Note", f"{pier}#notes"),
            ("Note", f"{lights}#notes"),
            ("File", f"{pier}#files"),
        ]
    )
    page = text(response)
    assert "5 results." in page
    assert "Secrets" not in page and "Harbour plans" not in page
    # Where a note, a file or a project lives is named beside it.
    assert '<span class="small muted"> · Pier renovation</span>' in page
    assert '<span class="small muted"> · Harbour Lights Ltd</span>' in page


def test_a_client_name_match_comes_first(web, harbour):
    assert results(web.get(SEARCH, {"q": "harbour lights"}))[0] == (
        "Client",
        f"/dashboard/clients/{harbour.lights.pk}/",
    )


def test_matches_are_marked_and_what_people_wrote_is_shown_as_text(web, team, harbour):
    ClientFactory(workspace=team, name="<i>Harbour</i> & Sons", company="", email="")

    page = text(web.get(SEARCH, {"q": "harbour"}))

    assert "<mark>Harbour</mark> Lights Ltd" in page
    # PostgreSQL's snippet may start after the "<", so only the rest is asserted exactly.
    assert "alert(&quot;<mark>harbour</mark>&quot;)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert "&lt;i&gt;<mark>Harbour</mark>&lt;/i&gt; &amp; Sons" in page
    assert "<i>" not in page
    assert "<mark>harbour</mark>-chart.pdf" in page


def test_the_type_filter_keeps_to_one_kind(web, harbour):
    response = web.get(SEARCH, {"q": "harbour", "type": "notes"})

    assert sorted(label for label, _ in results(response)) == ["Note", "Note"]
    assert '<option value="notes" selected>Notes</option>' in text(response)


def test_archived_clients_are_left_out_unless_asked_for(web, harbour):
    harbour.lights.archived_at = timezone.now()
    harbour.lights.save(update_fields=["archived_at"])

    default = web.get(SEARCH, {"q": "lights", "type": "clients"})
    with_archived = web.get(SEARCH, {"q": "lights", "type": "clients", "archived": "on"})

    assert results(default) == []
    assert results(with_archived) == [("Client", f"/dashboard/clients/{harbour.lights.pk}/")]
    assert '<span class="badge archived">Archived</span>' in text(with_archived)


@pytest.mark.parametrize("query", ["", "   ", '""', "-harbour"])
def test_without_words_to_look_for_the_page_gives_a_hint(web, harbour, query):
    response = web.get(SEARCH, {"q": query})

    assert response.status_code == 200
    assert 'id="search-hint"' in text(response)
    assert results(response) == []


def test_no_results_gets_a_friendly_message(web, harbour):
    page = text(web.get(SEARCH, {"q": "lighthouse <b>"}))

    assert "Nothing in Harbour Studio matches “lighthouse &lt;b&gt;”." in page
    assert "<b>" not in page


def test_bad_input_shows_the_error_instead_of_searching(web, harbour):
    too_long = web.get(SEARCH, {"q": "harbour " * 30})
    unknown = web.get(SEARCH, {"q": "harbour", "type": "invoices"})

    assert "at most 200 characters" in text(too_long)
    assert "Select a valid choice." in text(unknown)
    assert results(too_long) == results(unknown) == []
    assert 'id="search-hint"' not in text(unknown)


def test_results_come_twenty_a_page_and_the_links_keep_the_query(web, team):
    for number in range(25):
        ClientFactory(workspace=team, name=f"Harbour {number:02}", company="", email="")

    first = web.get(SEARCH, {"q": "harbour", "type": "clients"})
    second = web.get(SEARCH, {"q": "harbour", "type": "clients", "page": 2})
    past_the_end = web.get(SEARCH, {"q": "harbour", "type": "clients", "page": 9})

    assert len(results(first)) == 20 and len(results(second)) == 5
    assert "Page 1 of 2 · 25 in all" in text(first)
    assert 'href="?q=harbour&amp;type=clients&amp;page=2"' in text(first)
    assert not set(results(first)) & set(results(second))
    assert results(past_the_end) == results(second)


def test_a_viewer_can_search(browse, team, harbour):
    viewer = browse(member_of(team, Role.VIEWER), team)

    response = viewer.get(SEARCH, {"q": "harbour"})

    assert response.status_code == 200
    assert len(results(response)) == 5


def test_search_follows_the_workspace_of_the_session(browse, owner, harbour):
    elsewhere = harbour.foreign.workspace
    MembershipFactory(workspace=elsewhere, user=owner, role=Role.MEMBER)

    there = browse(owner, elsewhere).get(SEARCH, {"q": "harbour"})

    assert results(there) == [
        ("Client", f"/dashboard/clients/{harbour.foreign.pk}/"),
        ("Note", f"/dashboard/clients/{harbour.foreign.pk}/#notes"),
    ]


def test_an_outsider_naming_the_team_in_their_session_searches_their_own_workspace(
    browse, team, harbour
):
    outsider = member_of(WorkspaceFactory(), Role.OWNER)

    response = browse(outsider, team).get(SEARCH, {"q": "harbour"})

    assert results(response) == []
    assert "Harbour Lights" not in text(response)


def test_the_page_makes_as_many_queries_for_twenty_results_as_for_three(web, team, owner):
    def client_project_and_note(number: int) -> None:
        client = ClientFactory(workspace=team, name=f"Harbour {number:02}", company="", email="")
        project = ProjectFactory(client=client, name=f"Harbour pier {number}")
        crm.create_note(actor=owner, body="<p>harbour</p>", project=project)

    client_project_and_note(0)
    web.get(SEARCH, {"q": "harbour"})  # the first visit warms per-session caches
    with CaptureQueriesContext(connection) as three:
        web.get(SEARCH, {"q": "harbour"})
    for number in range(1, 9):
        client_project_and_note(number)

    with CaptureQueriesContext(connection) as twenty:
        response = web.get(SEARCH, {"q": "harbour"})

    assert len(results(response)) == 20
    assert len(twenty) == len(three)


def test_highlighted_keeps_only_mark_tags_whatever_it_is_given():
    assert highlighted("a &lt;b&gt; <mark>c</mark> &amp; d") == (
        "a &lt;b&gt; <mark>c</mark> &amp; d"
    )
    assert highlighted('<script>x</script><mark>y</mark><img src=x onerror="z">') == (
        "&lt;script&gt;x&lt;/script&gt;<mark>y</mark>&lt;img src=x onerror=&quot;z&quot;&gt;"
    )
    assert highlighted("") == ""
