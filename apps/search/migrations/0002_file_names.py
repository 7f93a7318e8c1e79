"""File names in search: the stored vector and its GIN index, and a trigram index on the name.

A name is split at dots, underscores and dashes before parsing (the parser reads
`Q3-report_final.pdf` as one word), so each of its words can be found.
"""

from django.db import migrations

from apps.search.operations import RunSQLOnPostgreSQL

NAME = "translate(coalesce(original_name, ''), '<>._-', '     ')"


class Migration(migrations.Migration):
    dependencies = [("search", "0001_search_vectors"), ("files", "0001_initial")]

    operations = [
        RunSQLOnPostgreSQL(
            sql=[
                "ALTER TABLE files_fileasset ADD COLUMN search_vector tsvector GENERATED ALWAYS "
                f"AS (setweight(to_tsvector('english', {NAME}), 'A')) STORED",
                "CREATE INDEX file_search_idx ON files_fileasset USING gin (search_vector)",
                "CREATE INDEX file_original_name_trgm_idx ON files_fileasset "
                "USING gin (original_name gin_trgm_ops)",
            ],
            reverse_sql=[
                "DROP INDEX IF EXISTS file_original_name_trgm_idx",
                "ALTER TABLE files_fileasset DROP COLUMN IF EXISTS search_vector",
            ],
        )
    ]
