"""`notify`, the service every app calls: it honours the user's preferences, writes in the
caller's transaction, and sends email only after the commit, once per key."""

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.accounts.tests.factories import UserFactory
from apps.notifications import selectors, services
from apps.notifications.kinds import Kind
from apps.notifications.models import EmailDelivery, Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the on-commit callbacks (the email task) as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def remind(user, **extra):
    return services.notify(
        user=user,
        kind=Kind.DEADLINE_REMINDER,
        title="Design sign-off is due tomorrow",
        body="Website relaunch, for Globex Corporation.",
        link="/dashboard/projects/",
        data={"milestone_id": "m-1"},
        email_template="notification",
        **extra,
    )


def test_both_channels_on_write_the_row_and_send_the_email_after_commit(user, committed):
    with committed() as callbacks:
        notification = remind(user)
        assert mail.outbox == []  # nothing leaves before the commit

    assert callbacks
    assert Notification.objects.get() == notification
    assert notification.data == {"milestone_id": "m-1"}
    [email] = mail.outbox
    assert email.to == [user.email]
    assert email.subject == "Design sign-off is due tomorrow"
    assert "Website relaunch, for Globex Corporation." in email.body
    assert "http://127.0.0.1:8000/dashboard/projects/" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert "Design sign-off is due tomorrow" in html
    delivery = EmailDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.user, delivery.kind) == (
        "sent",
        1,
        user,
        "deadline_reminder",
    )


def test_email_off_writes_the_row_and_sends_no_email(user, committed):
    services.update_preferences(user=user, kinds={"deadline_reminder": {"email": False}})

    with committed():
        notification = remind(user)

    assert notification is not None
    assert mail.outbox == []
    assert not EmailDelivery.objects.exists()


def test_in_app_off_sends_the_email_and_writes_no_row(user, committed):
    services.update_preferences(user=user, kinds={"deadline_reminder": {"in_app": False}})

    with committed():
        notification = remind(user)

    assert notification is None
    assert not Notification.objects.exists()
    assert len(mail.outbox) == 1


def test_both_off_does_nothing(user, committed):
    services.update_preferences(
        user=user, kinds={"deadline_reminder": {"in_app": False, "email": False}}
    )

    with committed():
        assert remind(user) is None

    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_one_users_choice_is_not_anothers(user, committed):
    other = UserFactory()
    services.update_preferences(user=user, kinds={"deadline_reminder": {"email": False}})

    with committed():
        remind(user)
        remind(other)

    assert [email.to for email in mail.outbox] == [[other.email]]


def test_no_template_means_no_email_even_with_the_channel_on(user, committed):
    with committed():
        services.notify(user=user, kind=Kind.SYSTEM, title="Your export is ready")

    assert Notification.objects.get().title == "Your export is ready"
    assert mail.outbox == []


def test_the_same_key_notifies_once(user, committed):
    with committed():
        first = remind(user, key="milestone:m-1:window:1")
        again = remind(user, key="milestone:m-1:window:1")
        other_window = remind(user, key="milestone:m-1:window:3")

    assert first is not None and other_window is not None
    assert again is None
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2


def test_the_same_key_emails_once_with_the_app_channel_off(user, committed):
    services.update_preferences(user=user, kinds={"deadline_reminder": {"in_app": False}})
    assert not selectors.notified(user, "milestone:m-1:window:1")

    with committed():
        remind(user, key="milestone:m-1:window:1")
        remind(user, key="milestone:m-1:window:1")

    assert len(mail.outbox) == 1
    assert selectors.notified(user, "milestone:m-1:window:1")
    assert not selectors.notified(UserFactory(), "milestone:m-1:window:1")


def test_a_key_is_per_user(user, committed):
    other = UserFactory()

    with committed():
        remind(user, key="announcement:42")
        remind(other, key="announcement:42")

    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2


def test_a_duplicate_key_leaves_the_callers_transaction_usable(user, committed):
    with committed(), transaction.atomic():
        remind(user, key="k")
        remind(user, key="k")
        Notification.objects.create(user=user, kind=Kind.SYSTEM, title="After the duplicate")

    assert Notification.objects.count() == 2


def test_a_rolled_back_caller_leaves_no_row_and_sends_no_email(user, committed):
    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        remind(user)
        raise RuntimeError("the caller's own work failed")

    assert not Notification.objects.exists()
    assert not EmailDelivery.objects.exists()
    assert mail.outbox == []


def test_an_inactive_user_gets_no_email(committed):
    user = UserFactory(is_active=False)

    with committed():
        remind(user)

    assert mail.outbox == []


def test_an_undeclared_kind_or_template_is_a_programming_error(user):
    with pytest.raises(ValueError, match="kind"):
        services.notify(user=user, kind="birthday", title="Hi")
    with pytest.raises(ValueError, match="template"):
        services.notify(user=user, kind=Kind.SYSTEM, title="Hi", email_template="birthday")


def test_preloaded_preferences_save_the_query(user):
    preferences = selectors.preferences_for_users([user.pk])[user.pk]

    with CaptureQueriesContext(connection) as queries:
        services.notify(user=user, kind=Kind.MENTION, title="Hi", preferences=preferences)

    assert not [query for query in queries if "notificationpreference" in query["sql"]]
    assert Notification.objects.count() == 1


def test_the_welcome_is_sent_once_however_often_it_is_asked_for(user, committed):
    with committed():
        first = services.send_welcome(user=user)
        again = services.send_welcome(user=user)

    assert first.kind == "system" and again is None
    [email] = mail.outbox
    assert email.subject == "Welcome to Platform"
    assert user.display_name in email.body
    assert "Open your dashboard" in email.alternatives[0][0]
