"""Staff look at notifications, preferences and emails, edit none of them, and can send a failed
email again."""

import pytest
from django.core import mail
from django.urls import reverse

from apps.accounts.tests.factories import UserFactory
from apps.notifications import services
from apps.notifications.models import EmailDelivery, NotificationPreference

from .factories import NotificationFactory

pytestmark = pytest.mark.django_db


def failed_email() -> EmailDelivery:
    return EmailDelivery.objects.create(
        key="invite:1:1",
        to="dana@example.com",
        template="notification",
        subject="You are invited",
        text_body="Hello",
        html_body="<p>Hello</p>",
        status=EmailDelivery.Status.FAILED,
        attempts=6,
        last_error="AnymailRecipientsRefused: bounced",
    )


def test_notifications_are_listed_filtered_and_shown_read_only(staff_client):
    notification = NotificationFactory(title="Design sign-off is due")
    NotificationFactory(title="Already read", read_at="2026-01-01T00:00:00Z")
    changelist = reverse("admin:notifications_notification_changelist")

    unread = staff_client.get(changelist, {"read": "no"})
    detail = staff_client.get(
        reverse("admin:notifications_notification_change", args=[notification.pk])
    )

    assert unread.status_code == 200
    assert b"Design sign-off is due" in unread.content
    assert b"Already read" not in unread.content
    assert detail.status_code == 200
    assert b'name="title"' not in detail.content
    assert staff_client.get(reverse("admin:notifications_notification_add")).status_code == 403


def test_preferences_show_what_is_in_effect(staff_client):
    user = UserFactory()
    services.update_preferences(user=user, kinds={"mention": {"email": True}})
    preference = NotificationPreference.objects.get(user=user)

    page = staff_client.get(
        reverse("admin:notifications_notificationpreference_change", args=[preference.pk])
    )

    assert page.status_code == 200
    assert b"Mentions: in app on, email on" in page.content
    assert b"Weekly summary: in app off, email on" in page.content


def test_staff_send_a_failed_email_again(staff_client, django_capture_on_commit_callbacks):
    delivery = failed_email()
    changelist = reverse("admin:notifications_emaildelivery_changelist")

    assert staff_client.get(changelist).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            changelist, {"action": "requeue", "_selected_action": [str(delivery.pk)]}
        )

    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)
    assert [email.to for email in mail.outbox] == [["dana@example.com"]]


def test_staff_who_may_only_look_cannot_requeue(client, django_capture_on_commit_callbacks):
    from django.contrib.auth.models import Permission

    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_emaildelivery"))
    client.force_login(viewer)
    delivery = failed_email()
    changelist = reverse("admin:notifications_emaildelivery_changelist")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(changelist, {"action": "requeue", "_selected_action": [str(delivery.pk)]})

    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert mail.outbox == []
