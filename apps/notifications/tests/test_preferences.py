"""Notification preferences: both paths (EchoHub's notifications/preferences and Maycole's
?preferences=true), defaults, validation, and the reminder window the deadline job reads."""

import pytest

from apps.accounts.models import User
from apps.accounts.tests.factories import UserFactory
from apps.core.renderers import camel_key
from apps.core.testing import data_of, error_of
from apps.notifications import selectors
from apps.notifications.kinds import KINDS
from apps.notifications.models import NotificationPreference

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/preferences"
MAYCOLE = "/api/v1/notifications?preferences=true"

DEFAULT_KINDS = {
    "invite": {"inApp": True, "email": True},
    "deadlineReminder": {"inApp": True, "email": True},
    "weeklySummary": {"inApp": False, "email": True},
    "paymentFailed": {"inApp": True, "email": True},
    "mention": {"inApp": True, "email": False},
    "system": {"inApp": True, "email": True},
}


def test_get_answers_every_kind_and_channel_with_the_defaults(user_client, settings):
    settings.REMINDER_DEFAULT_WINDOW_DAYS = 2

    answered = data_of(user_client.get(URL))

    assert answered == {"kinds": DEFAULT_KINDS, "reminderWindowDays": 2}
    assert set(answered["kinds"]) == {camel_key(kind) for kind in KINDS}


def test_patch_of_a_subset_persists_it_and_answers_the_merged_set(user_client, user):
    changes = {
        "kinds": {"deadlineReminder": {"email": False}, "mention": {"email": True}},
        "reminderWindowDays": 3,
    }

    answered = data_of(user_client.patch(URL, changes, format="json"))

    expected = {
        **DEFAULT_KINDS,
        "deadlineReminder": {"inApp": True, "email": False},
        "mention": {"inApp": True, "email": True},
    }
    assert answered == {"kinds": expected, "reminderWindowDays": 3}
    assert data_of(user_client.get(URL)) == answered
    # Only what was chosen is stored, so a changed default reaches everyone else.
    row = NotificationPreference.objects.get(user=user)
    assert row.choices == {"deadline_reminder": {"email": False}, "mention": {"email": True}}


def test_a_second_patch_changes_only_what_it_sends_and_null_returns_to_the_default(
    user_client, user
):
    user_client.patch(
        URL,
        {"kinds": {"invite": {"email": False, "inApp": False}}, "reminderWindowDays": 7},
        format="json",
    )

    answered = data_of(
        user_client.patch(
            URL,
            {"kinds": {"invite": {"email": None}}, "reminderWindowDays": None},
            format="json",
        )
    )

    assert answered["kinds"]["invite"] == {"inApp": False, "email": True}
    assert answered["reminderWindowDays"] == 1
    row = NotificationPreference.objects.get(user=user)
    assert row.choices == {"invite": {"in_app": False}}
    assert row.reminder_window_days is None


def test_an_empty_patch_changes_nothing(user_client):
    assert data_of(user_client.patch(URL, {}, format="json")) == {
        "kinds": DEFAULT_KINDS,
        "reminderWindowDays": 1,
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kinds": {"birthday": {"email": False}}}, "kinds.birthday"),
        ({"kinds": {"invite": {"sms": True}}}, "kinds.invite.sms"),
        ({"kinds": {"invite": {"email": "yes"}}}, "kinds.invite.email"),
        ({"kinds": {"invite": {"email": 0}}}, "kinds.invite.email"),
        ({"kinds": {"invite": True}}, "kinds.invite"),
        ({"kinds": ["invite"]}, "kinds"),
        ({"reminderWindowDays": 0}, "reminderWindowDays"),
        ({"reminderWindowDays": 15}, "reminderWindowDays"),
        ({"reminderWindowDays": "3"}, "reminderWindowDays"),
        ({"channels": {"email": False}}, "channels"),
    ],
)
def test_an_unknown_kind_channel_or_bad_value_is_a_400_and_nothing_is_written(
    user_client, body, field
):
    # A valid change beside the bad one is not written either.
    if isinstance(body.get("kinds", {}), dict):
        body = {**body, "kinds": {"mention": {"email": True}, **body.get("kinds", {})}}

    error = error_of(user_client.patch(URL, body, format="json"), 400, "VALIDATION_ERROR")

    assert field in [detail["field"] for detail in error["details"]]
    assert not NotificationPreference.objects.exists()


def test_maycoles_forms_read_and_write_the_same_preferences(user_client):
    assert data_of(user_client.get(MAYCOLE)) == data_of(user_client.get(URL))

    answered = data_of(
        user_client.put(MAYCOLE, {"kinds": {"weeklySummary": {"email": False}}}, format="json")
    )

    assert answered["kinds"]["weeklySummary"] == {"inApp": False, "email": False}
    assert data_of(user_client.get(URL)) == answered


def test_maycoles_put_needs_the_flag(user_client):
    response = user_client.put("/api/v1/notifications", {"reminderWindowDays": 3}, format="json")

    error_of(response, 400, "VALIDATION_ERROR", field="preferences")
    assert not NotificationPreference.objects.exists()


def test_maycoles_put_validates_like_patch(user_client):
    response = user_client.put(MAYCOLE, {"kinds": {"birthday": {}}}, format="json")

    error_of(response, 400, "VALIDATION_ERROR", field="kinds.birthday")


def test_each_user_has_their_own_preferences(user_client, user):
    other = UserFactory()
    user_client.patch(URL, {"kinds": {"system": {"email": False}}}, format="json")

    assert selectors.preferences_for(user).wants("system", "email") is False
    assert selectors.preferences_for(other).wants("system", "email") is True


def test_the_reminder_job_reads_each_users_window_in_sql(user_client, user, settings):
    settings.REMINDER_DEFAULT_WINDOW_DAYS = 2
    other = UserFactory()
    user_client.patch(URL, {"reminderWindowDays": 5}, format="json")

    windows = dict(
        selectors.with_reminder_window(User.objects.filter(pk__in=[user.pk, other.pk])).values_list(
            "pk", "reminder_window_days"
        )
    )

    assert windows == {user.pk: 5, other.pk: 2}


def test_preferences_of_many_users_in_one_query(user, django_assert_num_queries):
    other = UserFactory()
    NotificationPreference.objects.create(user=user, choices={"mention": {"in_app": False}})

    with django_assert_num_queries(1):
        many = selectors.preferences_for_users([user.pk, other.pk])

    assert many[user.pk] == selectors.preferences_for(user)
    assert many[other.pk] == selectors.preferences_for(other)
    assert many[user.pk].wants("mention", "in_app") is False


def test_a_stored_choice_for_a_kind_no_longer_declared_is_ignored(user):
    NotificationPreference.objects.create(
        user=user, choices={"fax": {"email": True}, "invite": {"email": "yes"}}
    )

    preferences = selectors.preferences_for(user)

    assert "fax" not in preferences.channels
    assert preferences.wants("invite", "email") is True
