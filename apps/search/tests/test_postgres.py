"""Full-text search on PostgreSQL: stemming, prefixes, typos, vectors the database keeps
current, indexes the statement can use, and its fixed cost."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.testing import data_of
from apps.crm.models import Client, Note
from apps.crm.tests.factories import ClientFactory, NoteFactory
from apps.search.backends.postgres import PostgresBackend
from apps.search.query import parse
from apps.search.types import TYPES
from apps.workspaces.roles import Role
from apps.workspaces.tests.factories import member_of

from .conftest import SEARCH, ids
from .test_api import search

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_a_word_finds_its_other_forms(user_client, corpus):
    results, _ = search(user_client, q="designs")

    assert ids(results)[:2] == [str(corpus.studio.pk), str(corpus.globex.pk)]
    assert str(corpus.kickoff.pk) in ids(results)  # says "designs"
    assert str(corpus.relaunch.pk) in ids(results)  # says "design"
    assert results[0]["titleHtml"] == "<mark>Design</mark> Studio Ltd"


def test_a_partly_typed_last_word_matches_longer_words(user_client, corpus):
    results, _ = search(user_client, q="globex corp")

    assert ids(results) == [str(corpus.globex.pk)]
    assert results[0]["titleHtml"] == "<mark>Globex</mark> <mark>Corporation</mark>"


def test_phrases_and_excluded_words(user_client, corpus):
    phrase, _ = search(user_client, q='"design partners"')
    without, _ = search(user_client, q="design -studio")

    assert [row["id"] for row in phrase if row["match"] == "text"] == [str(corpus.globex.pk)]
    assert str(corpus.studio.pk) not in ids(without)
    assert str(corpus.globex.pk) in ids(without)


def test_a_typo_in_a_name_is_forgiven_after_the_exact_matches(user_client, corpus):
    results, meta = search(user_client, q="desgin")

    assert meta["fuzzy"] is True
    assert ids(results)[0] == str(corpus.studio.pk)
    assert results[0]["match"] == "fuzzy"
    assert results[0]["titleHtml"] == "Design Studio Ltd"
    # Names only, of this workspace, not archived (unless asked for).
    assert str(corpus.foreign_client.pk) not in ids(results)
    assert str(corpus.archived.pk) not in ids(results)
    assert str(corpus.repeats.pk) not in ids(results)


def test_a_typo_in_a_file_name_is_forgiven(user_client, corpus):
    results, meta = search(user_client, q="reprot")

    assert meta["fuzzy"] is True
    assert ids(results) == [str(corpus.report.pk)]
    assert results[0]["match"] == "fuzzy"


def test_exact_matches_come_before_fuzzy_ones(user_client, corpus):
    ClientFactory(workspace=corpus.workspace, name="Globe Trotters", company="")

    results, meta = search(user_client, q="globex")

    assert meta["fuzzy"] is True
    assert [row["match"] for row in results] == ["text", "fuzzy"]
    assert ids(results)[0] == str(corpus.globex.pk)
    assert results[1]["title"] == "Globe Trotters"


def test_enough_exact_matches_skip_the_typo_search(user_client, corpus):
    _, meta = search(user_client, q="design")

    assert meta["fuzzy"] is False


def test_the_database_keeps_the_vectors_current(user_client, corpus):
    # A bulk update runs no Python for the row: only the database can refresh the vector.
    Client.objects.filter(pk=corpus.studio.pk).update(name="Northwind Traders")
    Note.objects.filter(pk=corpus.kickoff.pk).update(body_text="The invoices went out.")

    old, _ = search(user_client, q="studio")
    new, _ = search(user_client, q="northwind")
    note, _ = search(user_client, q="invoice")

    assert str(corpus.studio.pk) not in ids(old)
    assert ids(new) == [str(corpus.studio.pk)]
    assert ids(note) == [str(corpus.kickoff.pk)]


def test_a_search_is_one_statement_and_a_typo_search_three(user_client, corpus):
    NoteFactory.create_batch(30, project=corpus.relaunch, body_text="design review")

    def statements(text):
        with CaptureQueriesContext(connection) as queries:
            search(user_client, q=text, perPage=100)
        # After authentication and membership; the test's own savepoints aside.
        return [
            q["sql"]
            for q in queries.captured_queries[2:]
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
        ]

    assert len(statements("design")) == 1
    assert len(statements("desgin")) == 3  # none found, set_config, with the fuzzy matches


def test_each_way_of_finding_candidates_finds_the_newest_matches(
    user_client, login, corpus, settings
):
    """Two ranked per type, so the date walk reads the newest 200 rows of a workspace. Once the
    table is analyzed as bigger than that, the walk runs (the other tests' tables are small, and
    take the index at once)."""
    settings.SEARCH_RANKED_PER_TYPE = 2
    now = timezone.now()
    old = NoteFactory.create_batch(3, project=corpus.relaunch, body_text="retainer agreed")
    for days, note in zip((90, 80, 70), old, strict=True):
        Note.objects.filter(pk=note.pk).update(created_at=now - timedelta(days=days))
    recent = NoteFactory.create_batch(250, project=corpus.relaunch, body_text="status update")
    team = corpus.foreign_client.workspace
    lone = NoteFactory(project=None, client=corpus.foreign_client, body_text="retainer signed")
    viewer = member_of(team, Role.VIEWER)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE crm_note")

    common, common_meta = search(user_client, q="status")  # the walk finds enough
    rare, rare_meta = search(user_client, q="retainer")  # the walk falls short: the index
    in_team = data_of(
        login(viewer)[0].get(SEARCH, {"q": "retainer"}, HTTP_X_WORKSPACE_ID=str(team.pk))
    )  # the walk read all of a small workspace: exact

    newest = sorted(recent, key=lambda note: (note.created_at, note.pk), reverse=True)[:2]
    assert set(ids(common)) == {str(note.pk) for note in newest}
    assert common_meta["capped"] is True
    assert ids(rare) == [str(old[2].pk), str(old[1].pk)]
    assert rare_meta["capped"] is True
    assert ids(in_team) == [str(lone.pk)]


def _plan(sql: str, params: dict) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        # The tables are nearly empty: make the planner show whether an index can serve.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("text", ["design", "desi", "design studio", '"web design" -logo'])
@pytest.mark.parametrize("search_type", list(TYPES.values()), ids=list(TYPES))
def test_the_query_is_served_by_the_vector_index(db, text, search_type):
    tsquery, params = PostgresBackend.tsquery(parse(text))

    plan = _plan(
        f'SELECT id FROM "{search_type.table}" t WHERE t.search_vector @@ {tsquery}', params
    )

    assert "Bitmap Index Scan on " + f"{search_type.name}_search_idx" in plan, plan


@pytest.mark.parametrize("search_type", list(TYPES.values()), ids=list(TYPES))
def test_typos_are_served_by_the_trigram_index(db, search_type):
    title = search_type.title
    sql = f'SELECT id FROM "{search_type.table}" t WHERE t."{title}" %%> %(text)s'

    plan = _plan(sql, {"text": "desgin"})

    assert f"Bitmap Index Scan on {search_type.name}_{title}_trgm_idx" in plan, plan
