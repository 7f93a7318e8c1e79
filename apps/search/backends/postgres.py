"""The PostgreSQL engine: one statement that finds, ranks, pages and highlights (see
apps.search.backends for the design)."""

from django.db import connection, transaction

from ..query import (
    HEADLINE_FROM,
    HEADLINE_TO,
    START,
    STOP,
    TITLE_FROM,
    TITLE_TO,
    SearchQuery,
    marked_html,
)
from ..types import SearchType
from . import (
    FUZZY_BELOW,
    FUZZY_THRESHOLD,
    WINDOW_PER_RANKED,
    SearchPage,
    SearchRequest,
    ranked_per_type,
)

CONFIG = "english"
_TITLE_OPTIONS = f"HighlightAll=true, StartSel={START}, StopSel={STOP}"
_SNIPPET_OPTIONS = (
    f'MaxFragments=2, MaxWords=24, MinWords=8, FragmentDelimiter=" … ", '
    f"StartSel={START}, StopSel={STOP}"
)
_ORDER = {
    "relevance": "match = 'fuzzy', rank DESC, created_at DESC, id",
    "newest": "created_at DESC, id",
    "oldest": "created_at ASC, id",
    "name": "NULLIF(sort_name, '') ASC NULLS LAST, created_at DESC, id",
}


def _column(name: str) -> str:
    return f't."{name}"'


def _archived_condition(search_type: SearchType, archived: str) -> str:
    if search_type.archived is None or archived == "all":
        return ""
    state = "IS NULL" if archived == "false" else "IS NOT NULL"
    return f" AND {_column(search_type.archived)} {state}"


class PostgresBackend:
    def search(self, request: SearchRequest) -> SearchPage:
        sql, params = self.statement(request, fuzzy=False)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            page = self._page(cursor.fetchall())
        if page.total >= FUZZY_BELOW or page.capped:
            return page
        sql, params = self.statement(request, fuzzy=True)
        # The trigram operators read their threshold from a setting; set it for this
        # transaction only, so that the pooled connection goes back as it came.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
                [str(FUZZY_THRESHOLD)],
            )
            cursor.execute(sql, params)
            return self._page(cursor.fetchall())

    @staticmethod
    def tsquery(query: SearchQuery) -> tuple[str, dict]:
        """The tsquery expression, a constant the planner folds (and estimates) up front."""
        if query.prefix is None:
            return f"websearch_to_tsquery('{CONFIG}', %(text)s)", {"text": query.text}
        prefix = f"to_tsquery('{CONFIG}', %(prefix)s)"
        params = {"prefix": f"'{query.prefix}':*"}
        if not query.head:
            return prefix, params
        words = f"websearch_to_tsquery('{CONFIG}', %(head)s)"
        return f"({words} && {prefix})", {**params, "head": query.head}

    def statement(self, request: SearchRequest, *, fuzzy: bool) -> tuple[str, dict]:
        """The SQL and parameters of one search (also what bench/search.py runs raw)."""
        query = request.query
        params = {
            "workspace_id": request.workspace_id,
            "cap": ranked_per_type(),
            "window": ranked_per_type() * WINDOW_PER_RANKED,
            "text": query.text,
            "limit": request.limit,
            "offset": request.offset,
            "headline_from": HEADLINE_FROM,
            "headline_to": HEADLINE_TO,
            "title_from": TITLE_FROM,
            "title_to": TITLE_TO,
            "title_options": _TITLE_OPTIONS,
            "snippet_options": _SNIPPET_OPTIONS,
        }
        tsquery, query_params = self.tsquery(query)
        params.update(query_params)
        direction = "ASC" if request.sort == "oldest" else "DESC"
        # A typo search follows a search that found almost nothing, and all of it (none of its
        # types reached the cap): no use walking the dates.
        candidates = [
            self._candidates(t, tsquery, direction, request.archived, rare=fuzzy)
            for t in request.types
        ]
        hits = [self._hits(t, tsquery) for t in request.types]
        if fuzzy:
            hits += [self._fuzzy(t, tsquery, request.archived) for t in request.types]
        decorated = " UNION ALL ".join(self._decorate(t, tsquery) for t in request.types)
        order = _ORDER[request.sort]
        sql = f"""
            WITH {", ".join(candidates)},
            hits AS ({" UNION ALL ".join(hits)}),
            page AS (
                SELECT type, id, rank, match, row_number() OVER (ORDER BY {order}) AS position
                FROM hits ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s
            ),
            summary AS (
                SELECT count(*) AS total,
                    coalesce(bool_or(type_total >= %(cap)s), false) AS capped,
                    coalesce(bool_or(match = 'fuzzy'), false) AS fuzzy
                FROM hits
            )
            SELECT summary.total, summary.capped, summary.fuzzy, decorated.*
            FROM summary LEFT JOIN ({decorated}) AS decorated ON true
            ORDER BY decorated.position
        """  # noqa: S608 - every interpolated name comes from the type registry, never a request
        return sql, params

    @staticmethod
    def _candidates(
        search_type: SearchType, tsquery: str, direction: str, archived: str, *, rare: bool
    ) -> str:
        """The CTEs of one type's candidates: the newest (or oldest) `cap` matches, found by
        whichever of two plans is cheap for this query, decided while it runs.

        Left to itself the planner picks between walking the creation-date index until `cap`
        rows match (right for a common word) and fetching every match through the GIN index,
        then sorting (right for a rare one), on its estimate of how many rows match; a wrong
        estimate walked all 1M notes for a word in 200 of them (half a second). So the walk is
        bounded: it reads at most `window` rows. When those hold `cap` matches, they are the
        answer; when not, the word is rare (fewer than cap/window of the recent rows) and the
        GIN index fetches its matches, at most `window` of them (more only for a word common
        long ago and rare lately: then some `window` of its matches are ranked), and sorts them.
        That branch sits behind a one-time filter and does not run when the walk sufficed; its
        subquery's LIMIT also keeps it from walking the date index, and keeps the statement's
        estimated cost bounded: above `jit_above_cost` PostgreSQL would spend ~35 ms compiling.

        Two shortcuts. A table that holds no more than `window` rows in all (the planner's
        `reltuples`) skips the walk: fetching every match costs no more. And a walk that read
        the whole workspace (it holds no more than `window` rows: a count that stops at
        `window` + 1) is exact, however few it found, so the index is not asked again; with
        many workspaces in one table that matters, since the GIN index spans them all.
        """
        name, table = search_type.name, search_type.table
        where = f"t.workspace_id = %(workspace_id)s{_archived_condition(search_type, archived)}"
        columns = f"t.id, t.created_at, {_column(search_type.title)} AS title, t.search_vector"
        every_match = f"""
            SELECT * FROM (
                SELECT {columns} FROM "{table}" t
                WHERE {where} AND t.search_vector @@ {tsquery} LIMIT %(window)s
            ) AS every_match"""  # noqa: S608 - names from the type registry, values bound
        order = f"ORDER BY created_at {direction} LIMIT %(cap)s"
        # Each gate is computed when first read, left to right (AND and OR stop early): a small
        # table never runs the walk, and the workspace is only counted when the walk fell short.
        small = f"""(
            SELECT reltuples <= %(window)s FROM pg_class WHERE oid = '"{table}"'::regclass
        )"""  # noqa: S608
        short = f"(SELECT count(*) < %(cap)s FROM {name}_walk)"  # noqa: S608
        fits = f"(SELECT fits FROM {name}_fits)"  # noqa: S608
        if rare:
            return f"{name}_found AS ({every_match} {order})"
        return f"""
            {name}_walk AS (
                SELECT * FROM (
                    SELECT {columns} FROM "{table}" t WHERE {where}
                    ORDER BY t.created_at {direction} LIMIT %(window)s
                ) AS recent
                WHERE recent.search_vector @@ {tsquery}
                ORDER BY recent.created_at {direction} LIMIT %(cap)s
            ),
            {name}_fits AS (
                SELECT count(*) <= %(window)s AS fits FROM (
                    SELECT 1 FROM "{table}" t WHERE {where} LIMIT %(window)s + 1
                ) AS counted
            ),
            {name}_found AS (
                SELECT * FROM {name}_walk WHERE NOT {small} AND (NOT {short} OR {fits})
                UNION ALL (
                    {every_match}
                    WHERE {small} OR ({short} AND NOT {fits})
                    {order}
                )
            )"""  # noqa: S608

    @staticmethod
    def _hits(search_type: SearchType, tsquery: str) -> str:
        return f"""(
            SELECT '{search_type.name}' AS type, c.id, c.created_at, lower(c.title) AS sort_name,
                'text' AS match,
                CASE WHEN ts_filter(c.search_vector, '{{a}}') @@ {tsquery} THEN 2
                     WHEN ts_filter(c.search_vector, '{{a,b}}') @@ {tsquery} THEN 1
                     ELSE 0 END
                + ts_rank_cd(c.search_vector, {tsquery}, 32) AS rank,
                count(*) OVER () AS type_total
            FROM {search_type.name}_found c
        )"""  # noqa: S608

    @staticmethod
    def _fuzzy(search_type: SearchType, tsquery: str, archived: str) -> str:
        title = _column(search_type.title)
        return f"""(
            SELECT '{search_type.name}' AS type, c.id, c.created_at, lower(c.title) AS sort_name,
                'fuzzy' AS match, c.rank, count(*) OVER () AS type_total
            FROM (
                SELECT t.id, t.created_at, {title} AS title,
                    word_similarity(%(text)s, {title}) AS rank
                FROM "{search_type.table}" t
                WHERE t.workspace_id = %(workspace_id)s AND {title} %%> %(text)s
                    AND NOT (t.search_vector @@ {tsquery})
                    {_archived_condition(search_type, archived)}
                ORDER BY rank DESC, t.created_at DESC LIMIT %(cap)s
            ) c
        )"""  # noqa: S608

    @staticmethod
    def _decorate(search_type: SearchType, tsquery: str) -> str:
        if not search_type.snippet:
            snippet = "''"
        elif len(search_type.snippet) == 1:
            snippet = f"coalesce({_column(search_type.snippet[0])}, '')"
        else:
            parts = ", ".join(f"NULLIF({_column(name)}, '')" for name in search_type.snippet)
            snippet = f"concat_ws(' · ', {parts})"
        client = _column(search_type.client) if search_type.client else "NULL::uuid"
        project = _column(search_type.project) if search_type.project else "NULL::uuid"
        archived = (
            f"{_column(search_type.archived)} IS NOT NULL" if search_type.archived else "false"
        )
        title = _column(search_type.title)
        return f"""(
            SELECT p.position, p.type, p.id, p.rank, p.match, {title} AS title,
                ts_headline('{CONFIG}', translate({title}, %(title_from)s, %(title_to)s),
                    {tsquery}, %(title_options)s) AS title_marked,
                ts_headline('{CONFIG}', translate({snippet}, %(headline_from)s, %(headline_to)s),
                    {tsquery}, %(snippet_options)s) AS snippet_marked,
                {client} AS client_id, {project} AS project_id, {archived} AS archived,
                t.created_at, t.updated_at
            FROM page p JOIN "{search_type.table}" t ON t.id = p.id
            WHERE p.type = '{search_type.name}'
        )"""  # noqa: S608

    @staticmethod
    def _page(rows) -> SearchPage:
        page = SearchPage(total=rows[0][0], capped=rows[0][1], fuzzy=rows[0][2])
        for row in rows:
            (_, _, _, _, kind, pk, rank, match, title, title_marked, snippet_marked, client_id,
             project_id, archived, created_at, updated_at) = row  # fmt: skip
            if pk is None:
                continue  # the summary row of an empty page
            page.results.append({
                "type": kind, "id": pk, "title": title or "",
                "title_html": marked_html(title_marked),
                "snippet_html": marked_html(snippet_marked),
                "client_id": client_id, "project_id": project_id, "archived": archived,
                "match": match, "rank": round(float(rank), 4),
                "created_at": created_at, "updated_at": updated_at,
            })  # fmt: skip
        return page
