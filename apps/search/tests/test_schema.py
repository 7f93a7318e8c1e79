"""The search endpoints in the OpenAPI schema, with their parameters and the page they answer."""

import json

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get("/api/v1/schema", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200, response.content[:500]
    return json.loads(response.content)


@pytest.mark.parametrize(
    ("path", "typed"),
    [
        ("/api/v1/search", True),
        ("/api/v1/search/clients", False),
        ("/api/v1/search/projects", False),
    ],
)
def test_each_search_endpoint_is_documented(schema, path, typed):
    operation = schema["paths"][path]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}

    expected = {"q", "query", "sort", "archived", "page", "perPage", "X-Workspace-ID"}
    assert names == expected | ({"type"} if typed else set())
    assert set(operation["responses"]) >= {"200", "400", "401"}
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert page == "#/components/schemas/PaginatedSearchResultList"


def test_a_page_of_results_is_described_with_its_meta(schema):
    page = schema["components"]["schemas"]["PaginatedSearchResultList"]
    result = schema["components"]["schemas"]["SearchResult"]

    assert set(page["properties"]["meta"]["required"]) == {
        "total", "page", "perPage", "totalPages", "capped", "fuzzy"
    }  # fmt: skip
    assert page["properties"]["data"]["items"]["$ref"] == "#/components/schemas/SearchResult"
    assert {"titleHtml", "snippetHtml", "match", "rank"} <= set(result["properties"])
