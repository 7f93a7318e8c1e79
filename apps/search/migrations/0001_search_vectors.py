"""Stored, weighted tsvectors on the CRM tables, kept current by PostgreSQL, with GIN indexes;
trigram indexes on the names for typo tolerance. Nothing on SQLite (apps.search.backends).

The columns are outside Django's model state on purpose: no model reads or writes them, and a
generated column must never appear in an INSERT or UPDATE. PostgreSQL refuses to change the
type of a column that a generated column reads; a later migration that alters one of the
columns below (a new max_length, say) must drop `search_vector` first and add it back after,
with the same expression.

Weights: A for names, B for company, email and note titles, C for longer text. Emails are
indexed whole (`ada@engines.io`) and as their parts, so that `engines` finds them too.

The columns hold plain text (a note's `body_text` is its HTML reduced to words), but the
default text-search parser reads anything between `<` and `>` as an HTML tag and drops it, and
skips the content of a `<script>` pair: a note that quotes markup would lose those words. So the
angle brackets become spaces before parsing.
"""

from django.db import migrations

from apps.search.operations import RunSQLOnPostgreSQL

CONFIG = "'english'"


def text(column: str) -> str:
    return f"translate(coalesce({column}, ''), '<>', '  ')"


def vector(*parts: tuple[str, str]) -> str:
    return " || ".join(
        f"setweight(to_tsvector({CONFIG}, {expression}), '{weight}')"
        for expression, weight in parts
    )


def searchable(table: str, prefix: str, expression: str, title: str) -> RunSQLOnPostgreSQL:
    return RunSQLOnPostgreSQL(
        sql=[
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS ({expression}) STORED",
            f"CREATE INDEX {prefix}_search_idx ON {table} USING gin (search_vector)",
            f"CREATE INDEX {prefix}_{title}_trgm_idx ON {table} USING gin ({title} gin_trgm_ops)",
        ],
        reverse_sql=[
            f"DROP INDEX IF EXISTS {prefix}_{title}_trgm_idx",
            f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector",
        ],
    )


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]

    operations = [
        # Kept on the way back: other apps may come to use it.
        RunSQLOnPostgreSQL(
            sql="CREATE EXTENSION IF NOT EXISTS pg_trgm", reverse_sql=migrations.RunSQL.noop
        ),
        searchable(
            "crm_client",
            "client",
            vector(
                (text("name"), "A"),
                (text("company"), "B"),
                ("coalesce(email, '') || ' ' || translate(coalesce(email, ''), '@.<>', '    ')", "B"),
            ),
            "name",
        ),
        searchable(
            "crm_project",
            "project",
            vector((text("name"), "A"), (text("description"), "C")),
            "name",
        ),
        searchable(
            "crm_note",
            "note",
            vector((text("title"), "B"), (text("body_text"), "C")),
            "title",
        ),
    ]
