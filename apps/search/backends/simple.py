"""The simple matcher, for SQLite (the embedded default) and any database but PostgreSQL."""

from django.db.models import Q

from ..query import SearchQuery, excerpt, mark_terms, marked_html
from ..types import SearchType
from . import SearchPage, SearchRequest, ranked_per_type

_TIER = {"A": 2, "B": 1, "C": 0}


class SimpleBackend:
    def search(self, request: SearchRequest) -> SearchPage:
        query = request.query
        rows, capped, cap = [], False, ranked_per_type()
        for search_type in request.types:
            found = self._candidates(search_type, request, cap)
            capped = capped or len(found) >= cap
            rows += [self._scored(search_type, row, query) for row in found]
        rows.sort(key=_SORT_KEYS[request.sort])
        page = rows[request.offset : request.offset + request.limit]
        return SearchPage(
            results=[self._decorated(row, query) for row in page], total=len(rows), capped=capped
        )

    @staticmethod
    def _candidates(search_type: SearchType, request: SearchRequest, cap: int) -> list[dict]:
        def anywhere(word: str) -> Q:
            found = Q()
            for name, _ in search_type.fields:
                found |= Q(**{f"{name}__icontains": word})
            return found

        rows = search_type.model.objects.filter(workspace_id=request.workspace_id)
        for word in request.query.terms:
            rows = rows.filter(anywhere(word))
        for word in request.query.excluded:
            rows = rows.exclude(anywhere(word))
        if search_type.archived and request.archived != "all":
            rows = rows.filter(**{f"{search_type.archived}__isnull": request.archived == "false"})
        columns = {"id", "created_at", "updated_at", search_type.title, *search_type.snippet}
        columns |= {name for name, _ in search_type.fields}
        columns |= {c for c in (search_type.client, search_type.project, search_type.archived) if c}
        newest_first = request.sort != "oldest"
        rows = rows.order_by("-created_at" if newest_first else "created_at")
        return list(rows.values(*columns)[:cap])

    @staticmethod
    def _scored(search_type: SearchType, row: dict, query: SearchQuery) -> dict:
        tier, occurrences = 2, 0
        for word in query.terms:
            lowered = word.lower()
            best = -1
            for name, weight in search_type.fields:
                value = (row[name] or "").lower()
                if lowered in value:
                    best = max(best, _TIER[weight])
                    occurrences += value.count(lowered)
            tier = min(tier, best)
        if not query.terms:
            tier = 0
        return {
            "type": search_type,
            "row": row,
            "rank": round(max(tier, 0) + occurrences / (occurrences + 1), 4),
            "sort_name": (row[search_type.title] or "").lower(),
        }

    @staticmethod
    def _decorated(scored: dict, query: SearchQuery) -> dict:
        search_type, row = scored["type"], scored["row"]
        title = row[search_type.title] or ""
        text = " · ".join(row[name] for name in search_type.snippet if row[name])
        return {
            "type": search_type.name,
            "id": row["id"],
            "title": title,
            "title_html": marked_html(mark_terms(title, query.terms)),
            "snippet_html": marked_html(mark_terms(excerpt(text, query.terms), query.terms)),
            "client_id": row[search_type.client] if search_type.client else None,
            "project_id": row[search_type.project] if search_type.project else None,
            "archived": bool(search_type.archived and row[search_type.archived]),
            "match": "text",
            "rank": scored["rank"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }


def _newest(scored) -> tuple:
    return (-scored["row"]["created_at"].timestamp(), str(scored["row"]["id"]))


_SORT_KEYS = {
    "relevance": lambda s: (-s["rank"], *_newest(s)),
    "newest": _newest,
    "oldest": lambda s: (s["row"]["created_at"].timestamp(), str(s["row"]["id"])),
    "name": lambda s: (s["sort_name"] == "", s["sort_name"], *_newest(s)),
}
