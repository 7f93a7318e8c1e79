"""Search over the API, the same on SQLite (the simple matcher) and on PostgreSQL (full text):
what is found, in which order, what a result holds, and what is refused."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.testing import data_of, error_of
from apps.crm.models import Note
from apps.crm.tests.factories import ClientFactory, NoteFactory
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import member_of

from .conftest import SEARCH, ids

pytestmark = pytest.mark.django_db

RESULT_KEYS = {
    "type", "id", "title", "titleHtml", "snippetHtml", "clientId", "projectId", "archived",
    "match", "rank", "createdAt", "updatedAt",
}  # fmt: skip
META_KEYS = {"total", "page", "perPage", "totalPages", "capped", "fuzzy"}
TAG = re.compile(r"<[^>]*>")


def search(api, path=SEARCH, **query):
    response = api.get(path, query)
    body = response.json()
    assert response.status_code == 200, body
    return body["data"], body["meta"]


# --- What is found ---------------------------------------------------------------------------


def test_search_finds_clients_projects_and_notes_with_the_word(user_client, corpus):
    results, meta = search(user_client, q="design")

    found = {(row["type"], row["id"]) for row in results}
    assert found == {
        ("client", str(corpus.studio.pk)),
        ("client", str(corpus.globex.pk)),
        ("project", str(corpus.relaunch.pk)),
        ("note", str(corpus.kickoff.pk)),
        ("note", str(corpus.repeats.pk)),
        ("note", str(corpus.script.pk)),
    }
    assert meta == {
        "total": 6,
        "page": 1,
        "perPage": 20,
        "totalPages": 1,
        "capped": False,
        "fuzzy": False,
    }
    assert set(results[0]) == RESULT_KEYS


def test_a_name_match_ranks_above_a_company_match_above_matches_in_text(user_client, corpus):
    results, _ = search(user_client, q="design")

    assert ids(results)[:2] == [str(corpus.studio.pk), str(corpus.globex.pk)]
    # Saying the word six times in a note does not lift it over a name.
    ranks = {row["id"]: row["rank"] for row in results}
    assert ranks[str(corpus.studio.pk)] > ranks[str(corpus.globex.pk)]
    assert ranks[str(corpus.globex.pk)] > ranks[str(corpus.repeats.pk)]


def test_the_last_word_matches_as_a_prefix(user_client, corpus):
    results, _ = search(user_client, q="desi")

    assert str(corpus.studio.pk) in ids(results)
    assert ids(results)[0] == str(corpus.studio.pk)


def test_every_word_must_match(user_client, corpus):
    results, _ = search(user_client, q="design studio")

    assert ids(results) == [str(corpus.studio.pk)]


def test_a_result_links_to_its_client_and_project(user_client, corpus):
    results, _ = search(user_client, q="logo")

    assert len(results) == 1
    note = results[0]
    assert note["type"] == "note"
    assert note["id"] == str(corpus.kickoff.pk)
    assert note["title"] == "Kickoff"
    assert note["projectId"] == str(corpus.relaunch.pk)
    assert note["clientId"] is None
    assert note["match"] == "text"


def test_file_names_are_searched_word_by_word(user_client, corpus):
    results, _ = search(user_client, q="report")
    files, _ = search(user_client, q="report", type="files")
    no_files, _ = search(user_client, q="report", type="clients,projects,notes")

    assert ids(results) == [str(corpus.report.pk)]
    assert results[0]["type"] == "file"
    assert results[0]["title"] == "Q3-report_final.pdf"
    assert results[0]["titleHtml"] == "Q3-<mark>report</mark>_final.pdf"
    assert results[0]["clientId"] == str(corpus.globex.pk)
    assert files == results
    assert no_files == []


def test_nothing_found_is_an_empty_page(user_client, corpus):
    results, meta = search(user_client, q="zzyzx")

    assert results == []
    assert meta["total"] == 0
    assert meta["totalPages"] == 0


# --- Highlights are HTML with <mark> and nothing else ----------------------------------------


def test_matches_are_marked_in_the_title_and_the_snippet(user_client, corpus):
    results, _ = search(user_client, q="design")
    by_id = {row["id"]: row for row in results}

    studio = by_id[str(corpus.studio.pk)]
    assert studio["title"] == "Design Studio Ltd"
    assert studio["titleHtml"] == "<mark>Design</mark> Studio Ltd"
    globex = by_id[str(corpus.globex.pk)]
    assert "<mark>Design</mark> Partners" in globex["snippetHtml"]
    relaunch = by_id[str(corpus.relaunch.pk)]
    assert "Homepage <mark>design</mark> and the copy deck" in relaunch["snippetHtml"]


def test_markup_in_a_note_comes_back_escaped_never_as_a_tag(user_client, corpus):
    results, _ = search(user_client, q="alert")

    assert ids(results) == [str(corpus.script.pk)]
    snippet = results[0]["snippetHtml"]
    assert "<mark>alert</mark>(&quot;design&quot;)&lt;/script&gt;" in snippet
    assert "<script" not in snippet
    assert "</script" not in snippet
    # The only tags are marks; a note cannot forge one with the marker characters.
    assert set(TAG.findall(snippet)) <= {"<mark>", "</mark>"}
    assert "forged" in snippet
    assert "<mark>forged" not in snippet
    assert "\ue000" not in snippet


def test_markup_in_a_name_comes_back_escaped(user_client, corpus):
    ClientFactory(workspace=corpus.workspace, name='<img src=x onerror="alert(1)"> Design')

    results, _ = search(user_client, q="onerror")

    assert len(results) == 1
    assert results[0]["title"] == '<img src=x onerror="alert(1)"> Design'
    title_html = results[0]["titleHtml"]
    assert "<img" not in title_html
    assert "&lt;img" in title_html
    assert set(TAG.findall(title_html)) <= {"<mark>", "</mark>"}


# --- Only the caller's workspace -------------------------------------------------------------


def test_another_workspaces_rows_never_appear(user_client, corpus):
    results, _ = search(user_client, q="design", archived="all", perPage=100)
    secret, _ = search(user_client, q="secret")

    reports, _ = search(user_client, q="report")

    assert str(corpus.foreign_client.pk) not in ids(results)
    assert str(corpus.foreign_note.pk) not in ids(results)
    assert str(corpus.foreign_file.pk) not in ids(results)
    assert secret == []
    assert ids(reports) == [str(corpus.report.pk)]


def test_a_workspace_you_are_not_in_is_a_404(user_client, corpus):
    response = user_client.get(
        SEARCH, {"q": "design"}, HTTP_X_WORKSPACE_ID=str(corpus.foreign_client.workspace_id)
    )

    error_of(response, 404, "NOT_FOUND")


def test_a_viewer_of_a_team_searches_the_team(login, corpus):
    team = corpus.foreign_client.workspace
    viewer = member_of(team, Role.VIEWER)
    api, _, _ = login(viewer)

    results, _ = search(api, q="design")
    in_team = data_of(api.get(SEARCH, {"q": "design"}, HTTP_X_WORKSPACE_ID=str(team.pk)))

    assert results == []  # the viewer's own personal workspace
    assert set(ids(in_team)) == {
        str(corpus.foreign_client.pk),
        str(corpus.foreign_note.pk),
        str(corpus.foreign_file.pk),
    }


def test_anonymous_gets_401(api_client, corpus):
    error_of(api_client.get(SEARCH, {"q": "design"}), 401, "UNAUTHORIZED")


# --- Filters, sorting, pages -----------------------------------------------------------------


def test_archived_clients_are_left_out_unless_asked_for(user_client, corpus):
    default, _ = search(user_client, q="archive")
    both, _ = search(user_client, q="design", archived="all")
    only, _ = search(user_client, q="design", archived="true")

    assert default == []
    assert str(corpus.archived.pk) in ids(both)
    assert str(corpus.studio.pk) in ids(both)
    archived_row = next(row for row in both if row["id"] == str(corpus.archived.pk))
    assert archived_row["archived"] is True
    assert [row["id"] for row in only if row["type"] == "client"] == [str(corpus.archived.pk)]


def test_type_filters_the_kinds_searched(user_client, corpus):
    results, _ = search(user_client, q="design", type="clients,note")
    projects, _ = search(user_client, q="design", type="projects")
    everything, _ = search(user_client, q="design", type="clients,projects,notes,files")

    assert {row["type"] for row in results} == {"client", "note"}
    assert everything == search(user_client, q="design")[0]
    assert ids(projects) == [str(corpus.relaunch.pk)]


def test_search_clients_and_search_projects_search_one_kind(user_client, corpus):
    clients, _ = search(user_client, f"{SEARCH}/clients", q="design")
    projects, _ = search(user_client, f"{SEARCH}/projects", q="design")

    assert ids(clients) == [str(corpus.studio.pk), str(corpus.globex.pk)]
    assert ids(projects) == [str(corpus.relaunch.pk)]


def test_query_is_an_alias_of_q(user_client, corpus):
    by_q, _ = search(user_client, q="design")
    by_query, _ = search(user_client, query="design")

    assert by_query == by_q


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", ["script", "repeats", "kickoff", "relaunch", "globex", "studio"]),
        ("oldest", ["studio", "globex", "relaunch", "kickoff", "repeats", "script"]),
        # By title; untitled rows last (none here).
        ("name", ["studio", "globex", "kickoff", "script", "relaunch", "repeats"]),
    ],
)
def test_sorting(user_client, corpus, sort, expected):
    results, _ = search(user_client, q="design", sort=sort)

    assert ids(results) == [str(getattr(corpus, name).pk) for name in expected]


def test_pages(user_client, corpus):
    everything, _ = search(user_client, q="design")
    second, meta = search(user_client, q="design", page=2, perPage=4)
    beyond, beyond_meta = search(user_client, q="design", page=3, perPage=4)

    assert ids(second) == ids(everything)[4:]
    assert meta == {
        "total": 6,
        "page": 2,
        "perPage": 4,
        "totalPages": 2,
        "capped": False,
        "fuzzy": False,
    }
    assert beyond == []
    assert beyond_meta["total"] == 6


def test_a_word_matching_more_rows_than_are_ranked_ranks_the_newest(user_client, corpus, settings):
    settings.SEARCH_RANKED_PER_TYPE = 3
    project = corpus.relaunch
    notes = NoteFactory.create_batch(
        5, project=project, body="<p>budget talk</p>", body_text="budget talk"
    )

    results, meta = search(user_client, q="budget")

    assert meta["capped"] is True
    assert meta["total"] == 3
    newest = sorted(notes, key=lambda note: (note.created_at, note.pk), reverse=True)[:3]
    assert set(ids(results)) == {str(note.pk) for note in newest}


def test_a_word_only_in_older_rows_still_finds_its_newest_matches(user_client, corpus, settings):
    # One ranked per type: the date walk reads the newest 100 rows, finds none, and the
    # index then fetches every match.
    settings.SEARCH_RANKED_PER_TYPE = 1
    older = NoteFactory.create_batch(
        3, project=corpus.relaunch, body="<p>retainer</p>", body_text="retainer"
    )
    for days, note in zip((90, 80, 70), older, strict=True):
        Note.objects.filter(pk=note.pk).update(created_at=timezone.now() - timedelta(days=days))
    NoteFactory.create_batch(105, project=corpus.relaunch, body_text="weekly status")

    results, meta = search(user_client, q="retainer")

    assert ids(results) == [str(older[2].pk)]
    assert meta["capped"] is True


# --- Refused ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"query": ""}, "query"),
        ({"q": "x" * 201}, "q"),
        ({"q": "design", "type": "clients,invoices"}, "type"),
        ({"q": "design", "sort": "random"}, "sort"),
        ({"q": "design", "archived": "maybe"}, "archived"),
        ({"q": "design", "perPage": "500"}, "perPage"),
        ({"q": "design", "page": "0"}, "page"),
    ],
)
def test_bad_queries_get_400(user_client, corpus, query, field):
    error_of(user_client.get(SEARCH, query), 400, "VALIDATION_ERROR", field=field)


# --- Cost --------------------------------------------------------------------------------------


def test_the_query_count_does_not_grow_with_the_results(user_client, corpus):
    def count(text):
        with CaptureQueriesContext(connection) as queries:
            results, _ = search(user_client, q=text, perPage=100)
        return len(queries), len(results)

    NoteFactory.create_batch(
        40, project=corpus.relaunch, body="<p>invoice sent</p>", body_text="invoice sent"
    )
    for n in range(20):
        ClientFactory(workspace=corpus.workspace, name=f"Invoice Office {n}", company="")

    few = count("design")
    many = count("invoice")

    assert few[1] == 6
    assert many[1] == 60
    assert few[0] == many[0]
