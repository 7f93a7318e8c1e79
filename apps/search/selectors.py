"""Search as the rest of the code calls it: the workspace, the words, the page."""

from .backends import SearchPage, SearchRequest, backend
from .query import parse
from .types import SearchType


def search(
    *,
    workspace_id,
    text: str,
    types: list[SearchType],
    sort: str = "relevance",
    archived: str = "false",
    page: int = 1,
    per_page: int = 20,
) -> SearchPage:
    """One page of the workspace's rows of `types` that match `text`, ranked or sorted."""
    request = SearchRequest(
        workspace_id=workspace_id,
        query=parse(text),
        types=types,
        sort=sort,
        archived=archived,
        offset=(page - 1) * per_page,
        limit=per_page,
    )
    return backend().search(request)
