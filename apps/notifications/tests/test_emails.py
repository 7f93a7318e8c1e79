"""Emails: every template in both formats, and a sending task that sends each email once,
however often it is delivered, retrying what the provider failed to take."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from anymail.exceptions import AnymailRecipientsRefused
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from apps.notifications import emails, tasks
from apps.notifications.models import EmailDelivery
from apps.workspaces.tests.factories import InviteFactory

pytestmark = pytest.mark.django_db


class FlakyProvider(BaseEmailBackend):
    """The email provider's edge: fails the next `failures` sends with `error`, then accepts
    them into the outbox."""

    failures = 0
    error: Exception = OSError("connection reset by the provider")

    def send_messages(self, messages):
        if FlakyProvider.failures > 0:
            FlakyProvider.failures -= 1
            raise FlakyProvider.error
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def provider(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyProvider"
    FlakyProvider.failures = 0
    FlakyProvider.error = OSError("connection reset by the provider")
    yield FlakyProvider
    FlakyProvider.failures = 0


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def contexts(user) -> dict:
    """A context for each declared template, and a phrase each format must show."""
    invite = InviteFactory(email="dana@example.com")
    return {
        "notification": (
            {"title": "Your export is ready", "body": "3 files.", "link": "https://x.test/e"},
            "Your export is ready",
        ),
        "welcome": ({"user": user, "link": "http://127.0.0.1:8000/dashboard/"}, "Welcome to"),
        "deadline_reminder": (
            {
                "user": user,
                "window_days": 3,
                "items": [
                    {
                        "kind": "milestone",
                        "title": "Design sign-off",
                        "project": "Website relaunch",
                        "client": "Globex Corporation",
                        "due_date": date(2026, 3, 3),
                        "days_left": 1,
                        "url": "http://127.0.0.1:8000/dashboard/projects/p/",
                    }
                ],
            },
            "Due Tuesday 3 March 2026",
        ),
        "weekly_summary": (
            {
                "user": user,
                "period_start": date(2026, 2, 23),
                "period_end": date(2026, 3, 1),
                "stats": [{"label": "Hours tracked", "value": "12.5"}],
                "sections": [
                    {
                        "title": "Milestones completed",
                        "items": [{"title": "Wireframes", "detail": "Website relaunch"}],
                    }
                ],
            },
            "Milestones completed",
        ),
        "invite": (
            {
                "invite": invite,
                "workspace": invite.workspace,
                "inviter": "Ada Lovelace",
                "accept_url": "http://127.0.0.1:8000/invites/t/",
            },
            "Ada Lovelace",
        ),
        "payment_failed": (
            {
                "workspace": invite.workspace,
                "what": "the renewal of Pro",
                "amount": "29.00 USD",
                "reason": "Your card was declined.",
                "invoice_url": "https://pay.stripe.test/i",
                "billing_url": "http://127.0.0.1:8000/dashboard/billing/",
            },
            "29.00 USD",
        ),
    }


@pytest.mark.parametrize("template", list(emails.TEMPLATES))
def test_every_template_renders_as_text_and_as_html(template, user):
    context, phrase = contexts(user)[template]

    text, html = emails.render_email(template, context, user=user)

    assert phrase in text and phrase in html
    assert html.lstrip().startswith("<!doctype html>")
    assert "<p" not in text and "<a " not in text
    if template not in ("invite", "payment_failed"):  # written before the shared layout
        assert "Choose which emails you get" in text
        assert "http://127.0.0.1:8000/dashboard/" in text
        assert "Choose which emails you get" in html


def test_html_is_escaped_and_text_is_not(user):
    context = {"title": "Tom & Jerry <b>", "body": "", "link": ""}

    text, html = emails.render_email("notification", context, user=user)

    assert "Tom & Jerry <b>" in text
    assert "Tom &amp; Jerry &lt;b&gt;" in html


def test_dates_are_shown_in_the_users_time_zone(user):
    user.timezone = "Asia/Tokyo"
    invite = InviteFactory(expires_at=datetime(2026, 3, 3, 20, 0, tzinfo=UTC))
    context = {
        "invite": invite,
        "workspace": invite.workspace,
        "inviter": "Ada",
        "accept_url": "http://127.0.0.1:8000/i/",
    }

    text, _ = emails.render_email("invite", context, user=user)

    assert "4 March 2026, 05:00" in text


def test_a_missing_context_key_or_an_unknown_template_is_refused(user):
    with pytest.raises(ValueError, match="needs items, window_days"):
        emails.render_email("deadline_reminder", {"user": user}, user=user)
    with pytest.raises(ValueError, match="Not a declared email template"):
        emails.render_email("birthday", {}, user=user)


def queue(key="k-1", to="dana@example.com"):
    return emails.queue_email(
        to=to,
        subject="Your export is ready",
        template="notification",
        context={"title": "Your export is ready", "body": "", "link": ""},
        key=key,
    )


def test_a_task_delivered_twice_sends_one_email(committed):
    with committed():
        delivery = queue()
    assert len(mail.outbox) == 1

    assert tasks.send_email.delay(str(delivery.pk)).get() is False
    assert tasks.send_email.apply(args=[str(delivery.pk)]).get() is False

    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


def test_the_same_key_queues_one_email(committed):
    with committed():
        first = queue()
        again = queue()

    assert first is not None and again is None
    assert EmailDelivery.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_provider_failure_is_retried_and_sends_once(provider, monkeypatch):
    delivery = queue()
    provider.failures = 2
    # Eager tasks that do not propagate failures run the task's own retries inline.
    monkeypatch.setattr(tasks.send_email.app.conf, "task_eager_propagates", False)

    assert tasks.send_email.delay(str(delivery.pk)).get() is True

    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 3)
    assert "connection reset" in delivery.last_error


def test_a_failed_send_gives_the_claim_back(provider):
    delivery = queue()
    provider.failures = 1

    with pytest.raises(OSError):
        emails.deliver_email(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.sent_at, delivery.attempts) == ("pending", None, 1)
    assert emails.deliver_email(delivery_id=delivery.pk) is True
    assert len(mail.outbox) == 1


def test_after_the_last_attempt_the_email_is_failed(provider):
    delivery = queue()
    provider.failures = emails.MAX_ATTEMPTS

    for _ in range(emails.MAX_ATTEMPTS):
        with pytest.raises(OSError):
            emails.deliver_email(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", emails.MAX_ATTEMPTS)
    assert emails.deliver_email(delivery_id=delivery.pk) is False
    assert mail.outbox == []


def test_a_refused_address_fails_at_once_and_staff_can_send_it_again(provider, staff):
    delivery = queue()
    provider.failures = 1
    provider.error = AnymailRecipientsRefused("dana@example.com bounced")

    with pytest.raises(AnymailRecipientsRefused):
        emails.deliver_email(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "failed"

    assert emails.requeue_failed_email(delivery=delivery, actor=staff) is True
    assert emails.deliver_email(delivery_id=delivery.pk) is True
    assert len(mail.outbox) == 1
    assert emails.requeue_failed_email(delivery=delivery, actor=staff) is False


def test_the_provider_message_id_is_kept(settings, committed):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"

    with committed():
        delivery = queue()

    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert delivery.provider_message_id == "0"


def test_emails_whose_task_was_lost_are_sent_by_the_sweep(committed):
    with time_machine.travel(timezone.now() - timedelta(hours=1)):
        lost = queue(key="lost")  # no commit callbacks ran: its task never left
        sent = queue(key="sent")
    EmailDelivery.objects.filter(pk=sent.pk).update(status="sent")
    recent = queue(key="recent")

    with committed():
        assert tasks.requeue_stale_emails.delay().get() == 1

    assert [email.to for email in mail.outbox] == [["dana@example.com"]]
    lost.refresh_from_db()
    recent.refresh_from_db()
    assert (lost.status, recent.status) == ("sent", "pending")
