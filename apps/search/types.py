"""What search looks through: one `SearchType` per kind of row, read by both backends.

A type names its model, the fields a query is matched against (with their weight: A for names,
B for company and titles, C for longer text, as in the stored tsvector on PostgreSQL), the field
shown as the result's title, the text its snippet is cut from, and the columns that link a
result to its client and project.

Adding a kind of row takes an entry in `TYPES` and, for PostgreSQL, a migration in
apps/search/migrations that adds the table's stored `search_vector` column with a GIN index and
a trigram index on the title column (see 0002_file_names.py, and README "## Search").
"""

from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class SearchType:
    name: str  # the `type` of a result: "client"
    plural: str  # in `type=` filters and URLs: "clients"
    model_label: str  # "crm.Client"
    title: str  # the field shown as the result's title, and matched for typos
    fields: tuple[tuple[str, str], ...]  # (field, weight A/B/C), the simple matcher's fields
    snippet: tuple[str, ...]  # fields whose text, joined by " · ", the snippet is cut from
    client: str | None = None  # the column of the client this row belongs to
    project: str | None = None  # the column of its project
    archived: str | None = None  # a nullable timestamp: archived when set

    @property
    def model(self):
        return apps.get_model(self.model_label)

    @property
    def table(self) -> str:
        return self.model._meta.db_table


CLIENTS = SearchType(
    name="client",
    plural="clients",
    model_label="crm.Client",
    title="name",
    fields=(("name", "A"), ("company", "B"), ("email", "B")),
    snippet=("company", "email"),
    archived="archived_at",
)
PROJECTS = SearchType(
    name="project",
    plural="projects",
    model_label="crm.Project",
    title="name",
    fields=(("name", "A"), ("description", "C")),
    snippet=("description",),
    client="client_id",
)
NOTES = SearchType(
    name="note",
    plural="notes",
    model_label="crm.Note",
    title="title",
    # `body_text` is the note's sanitized HTML reduced to its words (crm.services.notes), so
    # markup is never matched and never comes back in a snippet.
    fields=(("title", "B"), ("body_text", "C")),
    snippet=("body_text",),
    client="client_id",
    project="project_id",
)

FILES = SearchType(
    name="file",
    plural="files",
    model_label="files.FileAsset",
    title="original_name",
    fields=(("original_name", "A"),),
    snippet=(),
    client="client_id",
    project="project_id",
)

TYPES: dict[str, SearchType] = {t.plural: t for t in (CLIENTS, PROJECTS, NOTES, FILES)}


def types_named(names) -> list[SearchType]:
    """The types for `clients,projects,...` (singular names too), in registry order."""
    wanted = set()
    for name in names:
        found = TYPES.get(name) or next((t for t in TYPES.values() if t.name == name), None)
        if found is None:
            raise KeyError(name)
        wanted.add(found.plural)
    return [t for plural, t in TYPES.items() if plural in wanted]
