"""The two paginators of the API: numbered pages, and keyset cursors for unbounded streams."""

import math
from urllib.parse import parse_qs, urlsplit

from rest_framework.pagination import CursorPagination as DRFCursorPagination
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from .envelope import success


def _page_schema(data_schema: dict, meta_schema: dict) -> dict:
    return {
        "type": "object",
        "required": ["success", "data", "meta"],
        "properties": {
            "success": {"type": "boolean", "enum": [True]},
            "data": data_schema,
            "meta": meta_schema,
        },
    }


class PagePagination(PageNumberPagination):
    """`?page=&perPage=`; answers `meta: {total, page, perPage, totalPages}`."""

    page_size = 20
    page_size_query_param = "perPage"
    max_page_size = 100

    def get_paginated_response(self, data):
        total = self.page.paginator.count
        per_page = self.page.paginator.per_page
        meta = {
            "total": total,
            "page": self.page.number,
            "per_page": per_page,
            "total_pages": math.ceil(total / per_page) if total else 0,
        }
        return Response(success(data, meta=meta))

    def get_paginated_response_schema(self, schema):
        counters = ["total", "page", "perPage", "totalPages"]
        return _page_schema(
            schema,
            {
                "type": "object",
                "required": counters,
                "properties": {name: {"type": "integer"} for name in counters},
            },
        )


class CursorPagination(DRFCursorPagination):
    """Keyset pages for big tables: no OFFSET, no COUNT(*). `meta: {nextCursor, hasMore}`."""

    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 100
    ordering = "-created_at"

    def get_paginated_response(self, data):
        next_cursor = None
        if self.has_next:
            next_url = self.get_next_link()
            next_cursor = self.decode_cursor_param(next_url)
        return Response(success(data, meta={"next_cursor": next_cursor, "has_more": self.has_next}))

    def decode_cursor_param(self, url: str) -> str | None:
        return parse_qs(urlsplit(url).query).get(self.cursor_query_param, [None])[0]

    def get_paginated_response_schema(self, schema):
        return _page_schema(
            schema,
            {
                "type": "object",
                "required": ["nextCursor", "hasMore"],
                "properties": {
                    "nextCursor": {"type": "string", "nullable": True},
                    "hasMore": {"type": "boolean"},
                },
            },
        )


def paginated_rows(view, queryset, columns, to_row):
    """The list fast path: one page of `.values()` rows mapped to dicts, in the envelope."""
    page = view.paginate_queryset(queryset.values(*columns))
    return view.get_paginated_response([to_row(row) for row in page])
