"""The services run: the Redis channel layer between a web worker and a websocket, and a real
Celery worker on the Redis broker sending an email that is delivered twice."""

import asyncio
import threading

import pytest
from asgiref.sync import sync_to_async
from django.core import mail
from django.db import connection, transaction

from apps.notifications import emails, services, tasks
from apps.notifications.kinds import Kind
from apps.notifications.models import EmailDelivery

from .conftest import run, session_cookie, signed_in_socket
from .test_emails import FlakyProvider

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_layer(settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [settings.REDIS_URL]},
        }
    }


def test_a_web_workers_notification_crosses_redis_after_its_commit(user, redis_layer):
    cookie = session_cookie(user)
    written, checked = threading.Event(), threading.Event()
    failures = []

    def web_worker():
        """A request in another thread: its own connection, and (for the publish) its own event
        loop and Redis connection, as in a WSGI process."""
        try:
            with transaction.atomic():
                services.notify(user=user, kind=Kind.MENTION, title="Across processes")
                written.set()
                checked.wait(5)
        except Exception as error:  # noqa: BLE001 - reported by the test below
            failures.append(error)
        finally:
            connection.close()

    async def scenario():
        ws = await signed_in_socket(cookie)
        worker = threading.Thread(target=web_worker)
        worker.start()
        assert await asyncio.to_thread(written.wait, 5)
        nothing_before_commit = await ws.receive_nothing(timeout=0.5)
        checked.set()
        await asyncio.to_thread(worker.join, 5)
        event = await ws.receive_json_from(timeout=5)
        await ws.disconnect()

        assert nothing_before_commit
        assert event["type"] == "notification:new"
        assert event["data"]["title"] == "Across processes"

    run(scenario)
    assert failures == []


def test_the_redis_layer_reaches_every_socket_of_the_user_and_no_one_else(user, redis_layer):
    from apps.accounts.tests.factories import UserFactory

    other = UserFactory()
    cookies = session_cookie(user), session_cookie(other)

    async def scenario():
        mine = await signed_in_socket(cookies[0])
        second_tab = await signed_in_socket(cookies[0])
        theirs = await signed_in_socket(cookies[1])

        await sync_to_async(services.notify)(user=user, kind=Kind.SYSTEM, title="For you")

        assert (await mine.receive_json_from(timeout=5))["data"]["title"] == "For you"
        assert (await second_tab.receive_json_from(timeout=5))["data"]["title"] == "For you"
        assert await theirs.receive_nothing(timeout=0.5)
        for ws in (mine, second_tab, theirs):
            await ws.disconnect()

    run(scenario)


@pytest.mark.postgres
def test_a_real_worker_sends_an_email_delivered_twice_once(user, celery_worker):
    services.notify(
        user=user,
        kind=Kind.SYSTEM,
        title="Your export is ready",
        email_template="notification",
    )
    delivery = EmailDelivery.objects.get()
    # The broker hands the same email to the worker a second time.
    tasks.send_email.delay(str(delivery.pk))

    ran = celery_worker("apps.notifications.tasks.send_email", (str(delivery.pk),), 2)

    assert sorted(row[3] for row in ran) == [False, True]
    assert [email.to for email in mail.outbox] == [[user.email]]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 1)


@pytest.mark.postgres
def test_a_real_worker_retries_a_provider_failure_and_sends_once(settings, celery_worker):
    settings.EMAIL_BACKEND = f"{FlakyProvider.__module__}.FlakyProvider"
    FlakyProvider.failures = 1
    FlakyProvider.error = OSError("connection reset by the provider")
    try:
        delivery = emails.queue_email(
            to="dana@example.com",
            subject="Hello",
            template="notification",
            context={"title": "Hello", "body": "", "link": ""},
        )

        ran = celery_worker("apps.notifications.tasks.send_email", (str(delivery.pk),), 2)
    finally:
        FlakyProvider.failures = 0

    assert [row[2] for row in ran] == ["RETRY", "SUCCESS"]
    assert [email.to for email in mail.outbox] == [["dana@example.com"]]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 2)
