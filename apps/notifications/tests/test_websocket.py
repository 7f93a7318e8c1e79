"""The /ws/ endpoint through the project's ASGI application: who may connect, how, and what
they hear. `transaction=True` throughout: the consumer reaches the database through
database_sync_to_async, and on-commit events need real commits."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.db import transaction
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from apps.accounts import sessions
from apps.accounts.models import LoginSession
from apps.accounts.tests.factories import UserFactory
from apps.core.errors import ApplicationError
from apps.notifications import consumers, services
from apps.notifications.consumers import CloseCode, RealtimeConsumer
from apps.notifications.kinds import Kind

from .conftest import (
    ORIGIN,
    close_code,
    in_a_web_thread,
    run,
    session_cookie,
    signed_in_socket,
    socket,
)

pytestmark = pytest.mark.django_db(transaction=True)


# --- Signing in -------------------------------------------------------------------------------


def test_the_session_cookie_signs_the_socket_in(user):
    cookie = session_cookie(user)

    async def scenario():
        ws = socket(ORIGIN, cookie)
        connected, _ = await ws.connect()
        ready = await ws.receive_json_from()
        await ws.disconnect()

        assert connected
        assert ready == {"type": "ready", "data": {"userId": str(user.pk), "expiresAt": None}}

    run(scenario)


def test_an_access_token_in_the_first_message_signs_the_socket_in(user, access_token):
    token = access_token(user)
    expires = datetime.fromtimestamp(AccessToken(token)["exp"], tz=UTC)

    async def scenario():
        ws = socket(ORIGIN)
        connected, _ = await ws.connect()
        await ws.send_json_to({"type": "auth", "token": token})
        ready = await ws.receive_json_from()
        await ws.disconnect()

        assert connected
        assert ready["type"] == "ready"
        assert ready["data"]["userId"] == str(user.pk)
        assert ready["data"]["expiresAt"] == expires.strftime("%Y-%m-%dT%H:%M:%SZ")

    run(scenario)


@pytest.mark.parametrize(
    "origin",
    [b"http://evil.example", b"http://testserver.evil.example", b"null", None],
    ids=["another-site", "a-lookalike", "null", "none"],
)
def test_a_foreign_or_missing_origin_is_refused_even_with_a_valid_cookie(user, origin):
    headers = [session_cookie(user)]
    if origin is not None:
        headers.append((b"origin", origin))

    async def scenario():
        ws = socket(*headers)
        connected, _ = await ws.connect()
        await ws.wait()

        assert connected is False

    run(scenario)


def test_without_credentials_the_socket_is_closed_after_the_timeout(monkeypatch):
    monkeypatch.setattr(RealtimeConsumer, "auth_timeout", 0.2)

    async def scenario():
        ws = socket(ORIGIN)
        connected, _ = await ws.connect()
        assert connected
        assert await close_code(ws) == CloseCode.AUTH_TIMEOUT

    run(scenario)


@pytest.mark.parametrize(
    "first_message",
    [
        '{"type": "ping"}',
        '{"type": "auth", "token": "not.a.jwt"}',
        '{"type": "auth"}',
        '{"type": "auth", "token": 42}',
        "not json",
        '["auth"]',
    ],
)
def test_anything_but_a_valid_auth_message_first_is_closed_with_4401(first_message):
    async def scenario():
        ws = socket(ORIGIN)
        await ws.connect()
        await ws.send_to(text_data=first_message)
        assert await close_code(ws) == CloseCode.UNAUTHORIZED

    run(scenario)


def test_a_refresh_token_or_a_revoked_sessions_token_is_refused(user, login):
    _, session, pair = login(user)
    refresh = pair.refresh
    revoked = pair.access
    sessions.revoke_session(session=session, reason=LoginSession.RevokeReason.REVOKED_BY_USER)
    assert RefreshToken(refresh)  # a valid token, of the wrong type

    async def scenario():
        for token in (refresh, revoked):
            ws = socket(ORIGIN)
            await ws.connect()
            await ws.send_json_to({"type": "auth", "token": token})
            assert await close_code(ws) == CloseCode.UNAUTHORIZED

    run(scenario)


def test_a_token_in_the_url_is_refused(user, access_token):
    token = access_token(user)

    async def scenario():
        ws = socket(ORIGIN, path=f"/ws/?token={token}")
        connected, code = await ws.connect()
        await ws.wait()

        assert (connected, code) == (False, CloseCode.BAD_REQUEST)

    run(scenario)


def test_a_token_socket_closes_when_the_token_expires(user, access_token):
    short = AccessToken(access_token(user))
    short.set_exp(lifetime=timedelta(seconds=1))

    async def scenario():
        ws = socket(ORIGIN)
        await ws.connect()
        await ws.send_json_to({"type": "auth", "token": str(short)})
        assert (await ws.receive_json_from())["type"] == "ready"
        assert await close_code(ws, timeout=4) == CloseCode.UNAUTHORIZED

    run(scenario)


def test_a_fresh_token_keeps_the_socket_open_past_the_first_ones_expiry(user, access_token):
    short = AccessToken(access_token(user))
    short.set_exp(lifetime=timedelta(seconds=1))
    fresh = access_token(user)

    async def scenario():
        ws = socket(ORIGIN)
        await ws.connect()
        await ws.send_json_to({"type": "auth", "token": str(short)})
        await ws.receive_json_from()
        await ws.send_json_to({"type": "auth", "token": fresh})
        assert (await ws.receive_json_from())["type"] == "ready"
        await asyncio.sleep(1.5)
        await ws.send_json_to({"type": "ping"})
        assert await ws.receive_json_from() == {"type": "pong", "data": {}}
        await ws.disconnect()

    run(scenario)


def test_a_token_for_someone_else_closes_the_socket_with_4403(user, access_token):
    cookie = session_cookie(user)
    someone_else = access_token(UserFactory())

    async def scenario():
        ws = await signed_in_socket(cookie)
        await ws.send_json_to({"type": "auth", "token": someone_else})
        assert await close_code(ws) == CloseCode.FORBIDDEN

    run(scenario)


# --- Messages ---------------------------------------------------------------------------------


def test_messages_are_dispatched_by_type_and_errors_keep_the_socket_open(user):
    cookie = session_cookie(user)

    async def scenario():
        ws = await signed_in_socket(cookie)
        await ws.send_json_to({"type": "typing:sing"})
        unknown = await ws.receive_json_from()
        await ws.send_to(text_data="{oops")
        malformed = await ws.receive_json_from()
        await ws.send_json_to({"type": "ping"})
        pong = await ws.receive_json_from()
        await ws.disconnect()

        assert unknown == {
            "type": "error",
            "data": {"code": "UNKNOWN_TYPE", "message": "Unknown message type 'typing:sing'."},
        }
        assert malformed["data"]["code"] == "BAD_MESSAGE"
        assert pong == {"type": "pong", "data": {}}

    run(scenario)


@pytest.fixture
def echo_handler():
    """What the chat does from its AppConfig.ready(): add a message type."""

    @consumers.handles("test:echo")
    async def echo(consumer, message):
        if message.get("text") == "boom":
            raise ApplicationError("No booms here.", code="NO_BOOMS")
        await consumer.join_group("test-room")
        await consumer.send_event("test:echoed", {"said_by": consumer.user.pk, **message})

    yield echo
    del consumers.HANDLERS["test:echo"]


def test_other_apps_add_message_types_and_groups(user, echo_handler):
    cookie = session_cookie(user)

    async def scenario():
        ws = await signed_in_socket(cookie)
        await ws.send_json_to({"type": "test:echo", "text": "hello"})
        echoed = await ws.receive_json_from()
        await ws.send_json_to({"type": "test:echo", "text": "boom"})
        refused = await ws.receive_json_from()
        await sync_to_async(consumers_publish)("test-room")
        in_the_room = await ws.receive_json_from()
        await ws.disconnect()

        assert echoed == {
            "type": "test:echoed",
            "data": {"saidBy": str(user.pk), "type": "test:echo", "text": "hello"},
        }
        assert refused["data"] == {"code": "NO_BOOMS", "message": "No booms here."}
        assert in_the_room == {"type": "test:ping", "data": {"roomSize": 1}}

    run(scenario)


def consumers_publish(group):
    from apps.notifications.realtime import publish

    publish(group=group, event="test:ping", data={"room_size": 1})


def test_a_message_type_cannot_be_registered_twice():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        consumers.handles("ping")(lambda consumer, message: None)
    with pytest.raises(ImproperlyConfigured):
        consumers.handles("auth")(lambda consumer, message: None)


# --- notification:new -------------------------------------------------------------------------


def test_a_client_hears_of_a_notification_after_the_commit_and_not_before(user, user_client):
    cookie = session_cookie(user)

    def notify_in_a_transaction(ws):
        with transaction.atomic():
            services.notify(
                user=user, kind=Kind.MENTION, title="Ada mentioned you", link="/dashboard/"
            )
            # Written, not committed: nothing may reach the socket yet.
            assert async_to_sync(ws.receive_nothing)(timeout=0.3)

    async def scenario():
        ws = await signed_in_socket(cookie)
        await in_a_web_thread(notify_in_a_transaction)(ws)
        event = await ws.receive_json_from(timeout=2)
        listed = await sync_to_async(user_client.get)("/api/v1/notifications")
        await ws.disconnect()

        assert event == {"type": "notification:new", "data": listed.json()["data"][0]}
        assert event["data"]["title"] == "Ada mentioned you"
        assert event["data"]["read"] is False

    run(scenario)


def test_a_rolled_back_notification_is_never_heard_of(user):
    cookie = session_cookie(user)

    async def scenario():
        ws = await signed_in_socket(cookie)

        def notify_then_fail():
            with pytest.raises(RuntimeError), transaction.atomic():
                services.notify(user=user, kind=Kind.MENTION, title="Never happened")
                raise RuntimeError("the caller failed")

        await sync_to_async(notify_then_fail)()
        assert await ws.receive_nothing(timeout=0.3)
        await ws.disconnect()

    run(scenario)


def test_only_the_recipients_sockets_hear_of_it(user):
    other = UserFactory()
    cookies = session_cookie(user), session_cookie(other)

    async def scenario():
        mine = await signed_in_socket(cookies[0])
        theirs = await signed_in_socket(cookies[1])
        second_tab = await signed_in_socket(cookies[0])

        await sync_to_async(services.notify)(user=user, kind=Kind.SYSTEM, title="For you")

        assert (await mine.receive_json_from())["data"]["title"] == "For you"
        assert (await second_tab.receive_json_from())["data"]["title"] == "For you"
        assert await theirs.receive_nothing(timeout=0.3)
        for ws in (mine, theirs, second_tab):
            await ws.disconnect()

    run(scenario)


def test_a_notification_with_the_app_channel_off_is_not_pushed(user):
    services.update_preferences(user=user, kinds={"mention": {"in_app": False}})
    cookie = session_cookie(user)

    async def scenario():
        ws = await signed_in_socket(cookie)
        await sync_to_async(services.notify)(user=user, kind=Kind.MENTION, title="Muted")
        assert await ws.receive_nothing(timeout=0.3)
        await ws.disconnect()

    run(scenario)


def test_staff_notifying_someone_over_the_api_reaches_their_socket(user, access_token, login):
    token = access_token(user)
    staff_api, _, _ = login(UserFactory(is_staff=True))

    async def scenario():
        ws = socket(ORIGIN)
        await ws.connect()
        await ws.send_json_to({"type": "auth", "token": token})
        await ws.receive_json_from()

        response = await sync_to_async(staff_api.post)(
            "/api/v1/notifications",
            {"title": "Maintenance at 22:00", "userId": str(user.pk)},
            format="json",
        )
        event = await ws.receive_json_from(timeout=2)
        await ws.disconnect()

        assert response.status_code == 201
        assert event == {"type": "notification:new", "data": response.json()["data"]}

    run(scenario)
