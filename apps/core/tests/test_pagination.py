"""The cursor paginator that unbounded streams (chat history) will use: keyset, no COUNT."""

import pytest
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory

from apps.accounts.models import User
from apps.accounts.serializers import PublicUserSerializer
from apps.accounts.tests.factories import UserFactory
from apps.core.pagination import CursorPagination

pytestmark = pytest.mark.django_db


class SmallCursor(CursorPagination):
    page_size = 2


class PeopleStream(generics.ListAPIView):
    queryset = User.objects.all()
    serializer_class = PublicUserSerializer
    pagination_class = SmallCursor
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []


def fetch(params, django_assert_num_queries=None):
    request = APIRequestFactory().get("/stream", params)
    response = PeopleStream.as_view()(request)
    response.render()
    return response


def test_cursor_pages_walk_every_row_once_without_count(django_assert_num_queries):
    UserFactory.create_batch(5)
    seen, cursor = [], None
    while True:
        with django_assert_num_queries(1):  # the page itself; never a COUNT(*)
            body = fetch({"cursor": cursor} if cursor else {}).data
        seen += [row["id"] for row in body["data"]]
        assert set(body["meta"]) == {"next_cursor", "has_more"}
        if not body["meta"]["has_more"]:
            assert body["meta"]["next_cursor"] is None
            break
        cursor = body["meta"]["next_cursor"]
    assert len(seen) == len(set(seen)) == 5


def test_a_forged_cursor_is_a_404_envelope():
    response = fetch({"cursor": "not-a-cursor"})
    assert response.status_code == 404
    assert response.data["error"]["code"] == "NOT_FOUND"
