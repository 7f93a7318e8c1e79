"""The notification endpoints end to end: your own notifications only, and another user's is a
404 that changes nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from apps.accounts.tests.factories import UserFactory
from apps.core.testing import data_of, error_of
from apps.notifications.kinds import Kind
from apps.notifications.models import EmailDelivery, Notification
from apps.notifications.services import update_preferences

from .factories import NotificationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications"


def read_url(notification) -> str:
    return f"{URL}/{notification.pk}/read"


def detail_url(notification) -> str:
    return f"{URL}/{notification.pk}"


@pytest.fixture
def stranger(db):
    return UserFactory()


# --- GET notifications -----------------------------------------------------------------------


def test_the_list_is_yours_newest_first_with_the_unread_count(user_client, user, stranger):
    start = timezone.now() - timedelta(hours=3)
    with time_machine.travel(start, tick=False):
        oldest = NotificationFactory(user=user, read_at=timezone.now())
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        middle = NotificationFactory(user=user)
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        newest = NotificationFactory(user=user, kind=Kind.MENTION, data={"conversation_id": 7})
    NotificationFactory(user=stranger)

    response = user_client.get(URL)

    rows = data_of(response)
    assert [row["id"] for row in rows] == [str(newest.pk), str(middle.pk), str(oldest.pk)]
    assert response.json()["meta"] == {
        "total": 3,
        "page": 1,
        "perPage": 20,
        "totalPages": 1,
        "unreadCount": 2,
    }
    assert rows[0] == {
        "id": str(newest.pk),
        "kind": "mention",
        "title": newest.title,
        "body": newest.body,
        "data": {"conversationId": 7},
        "link": "/dashboard/",
        "read": False,
        "readAt": None,
        "createdAt": rows[0]["createdAt"],
    }
    assert rows[2]["read"] is True and rows[2]["readAt"]


def test_unread_and_kind_filter_the_list_but_not_the_unread_count(user_client, user):
    NotificationFactory(user=user, read_at=timezone.now())
    unread_mention = NotificationFactory(user=user, kind=Kind.MENTION)
    NotificationFactory(user=user, kind=Kind.INVITE)

    unread = user_client.get(URL, {"unread": "true"})
    mentions = user_client.get(URL, {"kind": "mention"})

    assert len(data_of(unread)) == 2
    assert unread.json()["meta"]["unreadCount"] == 2
    assert [row["id"] for row in data_of(mentions)] == [str(unread_mention.pk)]
    assert mentions.json()["meta"]["unreadCount"] == 2


def test_pages_follow_per_page(user_client, user):
    NotificationFactory.create_batch(5, user=user)

    response = user_client.get(URL, {"perPage": 2, "page": 3})

    assert len(data_of(response)) == 1
    assert response.json()["meta"]["totalPages"] == 3


@pytest.mark.parametrize(
    ("query", "field"), [({"unread": "maybe"}, "unread"), ({"kind": "birthday"}, "kind")]
)
def test_a_bad_filter_is_a_400_naming_it(user_client, query, field):
    error_of(user_client.get(URL, query), 400, "VALIDATION_ERROR", field=field)


def test_the_list_costs_the_same_queries_for_5_rows_as_for_50(
    user_client, user, django_assert_num_queries
):
    NotificationFactory.create_batch(5, user=user)
    # Authentication, the count, the page, the unread count.
    with django_assert_num_queries(4):
        assert len(data_of(user_client.get(URL, {"perPage": 100}))) == 5

    NotificationFactory.create_batch(45, user=user)

    with django_assert_num_queries(4):
        assert len(data_of(user_client.get(URL, {"perPage": 100}))) == 50


def test_anonymous_callers_get_401_everywhere(api_client, user):
    notification = NotificationFactory(user=user)
    calls = [
        ("get", URL),
        ("post", URL),
        ("put", URL + "?preferences=true"),
        ("put", read_url(notification)),
        ("put", URL + "/read-all"),
        ("delete", detail_url(notification)),
        ("get", URL + "/preferences"),
        ("patch", URL + "/preferences"),
    ]

    for method, url in calls:
        error_of(getattr(api_client, method)(url, {}, format="json"), 401, "UNAUTHORIZED")
    notification.refresh_from_db()
    assert notification.read_at is None


# --- POST notifications ----------------------------------------------------------------------


def test_you_create_a_notification_for_yourself_in_the_app_only(
    user_client, user, django_capture_on_commit_callbacks
):
    body = {
        "title": "Call the printer",
        "body": "About the brochure proofs.",
        "kind": "deadline_reminder",
        "data": {"projectId": "p-1"},
        "link": "/dashboard/projects/",
    }

    with django_capture_on_commit_callbacks(execute=True):
        created = data_of(user_client.post(URL, body, format="json"), 201)

    notification = Notification.objects.get(pk=created["id"])
    assert notification.user == user
    assert (notification.kind, notification.title, notification.data) == (
        "deadline_reminder",
        "Call the printer",
        {"project_id": "p-1"},
    )
    assert created["data"] == {"projectId": "p-1"}
    assert created["read"] is False
    # The email channel of deadline reminders is on, but an API call never sends email.
    assert mail.outbox == []
    assert not EmailDelivery.objects.exists()


def test_a_created_notification_is_stored_even_with_the_app_channel_off(user_client, user):
    update_preferences(user=user, kinds={"system": {"in_app": False}})

    created = data_of(user_client.post(URL, {"title": "Note to self"}, format="json"), 201)

    assert created["kind"] == "system"
    assert Notification.objects.filter(user=user).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "title"),
        ({}, "title"),
        ({"title": 5}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "Hi", "kind": "birthday"}, "kind"),
        ({"title": "Hi", "link": "javascript:alert(1)"}, "link"),
        ({"title": "Hi", "link": "//evil.example/"}, "link"),
        ({"title": "Hi", "data": ["not", "an", "object"]}, "data"),
        ({"title": "Hi", "data": {"blob": "x" * 5000}}, "data"),
        ({"title": "Hi", "colour": "red"}, "colour"),
    ],
)
def test_an_invalid_notification_is_a_400_naming_the_field(user_client, body, field):
    error_of(user_client.post(URL, body, format="json"), 400, "VALIDATION_ERROR", field=field)
    assert not Notification.objects.exists()


def test_only_staff_may_notify_someone_else(user_client, stranger):
    response = user_client.post(URL, {"title": "Hello", "userId": str(stranger.pk)}, format="json")

    error_of(response, 403, "FORBIDDEN")
    assert not Notification.objects.exists()


def test_naming_yourself_is_the_same_as_naming_nobody(user_client, user):
    data_of(user_client.post(URL, {"title": "Hi", "userId": str(user.pk)}, format="json"), 201)

    assert Notification.objects.get().user == user


def test_staff_notify_anyone_and_an_unknown_user_is_a_400(login, staff, stranger):
    api, _, _ = login(staff)

    created = data_of(
        api.post(URL, {"title": "Maintenance tonight", "userId": str(stranger.pk)}), 201
    )
    unknown = api.post(URL, {"title": "Hi", "userId": "00000000-0000-0000-0000-000000000000"})

    assert Notification.objects.get(pk=created["id"]).user == stranger
    error_of(unknown, 400, "VALIDATION_ERROR", field="userId")


# --- PUT notifications/:id/read --------------------------------------------------------------


def test_marking_read_answers_the_notification_and_keeps_the_first_read_time(user_client, user):
    notification = NotificationFactory(user=user)

    first = data_of(user_client.put(read_url(notification)))
    # Within the access token's lifetime.
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        again = data_of(user_client.put(read_url(notification)))

    assert first["read"] is True
    assert again["readAt"] == first["readAt"]
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_another_users_notification_is_a_404_and_stays_unread(user_client, stranger):
    theirs = NotificationFactory(user=stranger)

    error_of(user_client.put(read_url(theirs)), 404, "NOT_FOUND")
    error_of(user_client.delete(detail_url(theirs)), 404, "NOT_FOUND")

    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_an_unknown_id_is_a_404(user_client):
    missing = "/api/v1/notifications/00000000-0000-0000-0000-000000000000"

    error_of(user_client.put(missing + "/read"), 404, "NOT_FOUND")
    error_of(user_client.delete(missing), 404, "NOT_FOUND")


# --- PUT notifications/read-all --------------------------------------------------------------


def test_read_all_marks_yours_only_and_answers_the_count(user_client, user, stranger):
    NotificationFactory.create_batch(3, user=user)
    NotificationFactory(user=user, read_at=timezone.now() - timedelta(days=1))
    theirs = NotificationFactory(user=stranger)

    response = user_client.put(URL + "/read-all")

    assert data_of(response) == {"updated": 3, "unreadCount": 0}
    assert response.json()["message"] == "Marked 3 read."
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_read_all_before_leaves_what_arrived_since_unread(user_client, user):
    shown = timezone.now() - timedelta(minutes=5)
    with time_machine.travel(shown - timedelta(minutes=1), tick=False):
        seen = NotificationFactory(user=user)
    arrived_later = NotificationFactory(user=user)

    result = data_of(user_client.put(URL + "/read-all", {"before": shown.isoformat()}))

    assert result == {"updated": 1, "unreadCount": 1}
    seen.refresh_from_db()
    arrived_later.refresh_from_db()
    assert seen.read_at is not None
    assert arrived_later.read_at is None


def test_read_all_of_one_kind(user_client, user):
    mention = NotificationFactory(user=user, kind=Kind.MENTION)
    invite = NotificationFactory(user=user, kind=Kind.INVITE)

    data_of(user_client.put(URL + "/read-all", {"kind": "mention"}))

    mention.refresh_from_db()
    invite.refresh_from_db()
    assert mention.read_at is not None and invite.read_at is None


@pytest.mark.parametrize(
    ("body", "field"),
    [({"before": "yesterday"}, "before"), ({"kind": "birthday"}, "kind"), ({"all": 1}, "all")],
)
def test_read_all_with_a_bad_body_is_a_400_and_marks_nothing(user_client, user, body, field):
    notification = NotificationFactory(user=user)

    error_of(user_client.put(URL + "/read-all", body), 400, "VALIDATION_ERROR", field=field)

    notification.refresh_from_db()
    assert notification.read_at is None


# --- DELETE notifications/:id ----------------------------------------------------------------


def test_deleting_your_notification_removes_it(user_client, user):
    notification = NotificationFactory(user=user)

    response = user_client.delete(detail_url(notification))

    assert response.status_code == 204
    assert not Notification.objects.filter(pk=notification.pk).exists()


def test_an_api_key_cannot_reach_notifications(user, api_client):
    from apps.api_keys.tests.factories import ApiKeyFactory, key_header

    key = ApiKeyFactory(workspace=user.personal_workspace, created_by=user)

    response = api_client.get(URL, **key_header(key))

    error_of(response, 403, "API_KEY_NOT_ALLOWED")
