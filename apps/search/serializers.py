from rest_framework import serializers

from .backends import ARCHIVED, SORTS
from .query import MAX_LENGTH
from .types import TYPES, types_named


class SearchQuerySerializer(serializers.Serializer):
    """`?q=` (or Maycole's `?query=`), sorting and archived clients. The page is read by
    `PageSerializer`, and the schema takes `page` and `perPage` from the paginator."""

    q = serializers.CharField(
        required=False, max_length=MAX_LENGTH, help_text="What to look for (websearch syntax: "
        '"a phrase", `or`, `-word`); the last word also matches as a prefix.'
    )  # fmt: skip
    query = serializers.CharField(required=False, max_length=MAX_LENGTH, help_text="Alias of q.")
    sort = serializers.ChoiceField(
        choices=SORTS,
        default="relevance",
        help_text="relevance (best first), newest, oldest, or name (A to Z).",
    )
    archived = serializers.ChoiceField(
        choices=ARCHIVED,
        default="false",
        help_text="Archived clients: left out (false), only them (true), or both (all).",
    )

    def validate(self, attrs):
        text = attrs.get("q") or attrs.get("query")
        if not text:
            raise serializers.ValidationError({"q": ["Say what to search for."]})
        attrs["text"] = text
        return attrs


class PageSerializer(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, default=1)
    per_page = serializers.IntegerField(min_value=1, max_value=100, default=20)


class SearchAllQuerySerializer(SearchQuerySerializer):
    type = serializers.CharField(
        required=False,
        help_text=f"Comma-separated kinds to search: {', '.join(TYPES)} (default: all).",
    )

    def validate_type(self, value):
        names = [name.strip().lower() for name in value.split(",") if name.strip()]
        try:
            return types_named(names) if names else list(TYPES.values())
        except KeyError as error:
            raise serializers.ValidationError(
                f"Unknown type {error.args[0]!r}; choose from {', '.join(TYPES)}."
            ) from None


class SearchResultSerializer(serializers.Serializer):
    """One result (for the schema; rows are built as dicts in apps.search.backends)."""

    type = serializers.ChoiceField(choices=[t.name for t in TYPES.values()])
    id = serializers.UUIDField()
    title = serializers.CharField(help_text="Plain text: escape it before putting it in HTML.")
    title_html = serializers.CharField(
        help_text="The title as HTML: escaped text whose only tags are <mark>...</mark> around "
        "the matched words."
    )
    snippet_html = serializers.CharField(
        help_text="A passage of the row's longer text (company and email, a description, a "
        "note's text) as HTML: escaped text whose only tags are <mark>...</mark>."
    )
    client_id = serializers.UUIDField(allow_null=True)
    project_id = serializers.UUIDField(allow_null=True)
    archived = serializers.BooleanField(help_text="An archived client (false for other types).")
    match = serializers.ChoiceField(
        choices=["text", "fuzzy"], help_text="fuzzy: found by typo tolerance (PostgreSQL)."
    )
    rank = serializers.FloatField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
