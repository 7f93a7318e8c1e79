"""Websocket helpers: a client of the project's ASGI application, as a browser or an API
client would connect; and a real Celery worker on the Redis broker."""

import time

import orjson
import pytest
from asgiref.sync import async_to_sync, sync_to_async
from asgiref.testing import ApplicationCommunicator
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.db import connection
from django.test import Client

from config.asgi import application
from config.celery import app as celery_app

ORIGIN = (b"origin", b"http://testserver")


def run(scenario) -> None:
    """Run an async test body. Sync code it calls through sync_to_async runs in this thread,
    on the test's database connection."""
    async_to_sync(scenario)()


def in_a_web_thread(function):
    """Run sync code in a thread of its own, with its own database connection, as a web
    worker would: the consumer's housekeeping (Channels closes stale connections through
    the test's thread before every event) must not wait for a transaction held open here.
    Its async_to_sync calls (the publish) still run on the test's event loop, which the
    in-memory channel layer needs."""

    def closing(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        finally:
            connection.close()

    return sync_to_async(closing, thread_sensitive=False)


class WebsocketCommunicator(ApplicationCommunicator):
    """channels.testing.WebsocketCommunicator's protocol, on asgiref's communicator:
    importing channels.testing needs daphne, which the project does not install."""

    def __init__(self, app, path: str, headers: list):
        route, _, query = path.partition("?")
        scope = {
            "type": "websocket",
            "path": route,
            "query_string": query.encode(),
            "headers": headers,
            "subprotocols": [],
        }
        super().__init__(app, scope)

    async def connect(self, timeout: float = 1) -> tuple[bool, int | None]:
        """(True, None) when accepted; (False, close code) when refused."""
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(timeout)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        assert response["type"] == "websocket.accept", response
        return True, None

    async def send_to(self, text_data: str) -> None:
        await self.send_input({"type": "websocket.receive", "text": text_data})

    async def send_json_to(self, data) -> None:
        await self.send_to(orjson.dumps(data).decode())

    async def receive_json_from(self, timeout: float = 1):
        response = await self.receive_output(timeout)
        assert response["type"] == "websocket.send", response
        return orjson.loads(response["text"])

    async def disconnect(self, code: int = 1000, timeout: float = 1) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": code})
        await self.wait(timeout)


def socket(*headers, path: str = "/ws/") -> WebsocketCommunicator:
    return WebsocketCommunicator(application, path, headers=list(headers))


def session_cookie(user) -> tuple[bytes, bytes]:
    """The Cookie header of a browser signed in to the dashboard pages as `user`."""
    browser = Client()
    browser.force_login(user)
    value = browser.cookies[settings.SESSION_COOKIE_NAME].value
    return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={value}".encode())


@pytest.fixture
def access_token(login):
    """An access JWT of a fresh sign-in session of `user`."""
    return lambda user: login(user)[2].access


async def signed_in_socket(user_cookie) -> WebsocketCommunicator:
    ws = socket(ORIGIN, user_cookie)
    connected, _ = await ws.connect()
    assert connected
    ready = await ws.receive_json_from()
    assert ready["type"] == "ready"
    return ws


async def close_code(ws: WebsocketCommunicator, timeout: float = 2) -> int:
    """The code the server closed the socket with (and end the consumer)."""
    output = await ws.receive_output(timeout)
    assert output["type"] == "websocket.close", output
    await ws.disconnect()
    return output["code"]


@pytest.fixture
def celery_worker(monkeypatch):
    """A worker thread on the Redis broker, consuming the default and email queues; answers a
    function that waits until the tasks it ran for given arguments number `count`."""
    monkeypatch.setattr(celery_app.conf, "task_always_eager", False)
    finished: list[tuple] = []

    def record(sender=None, args=None, retval=None, state=None, **kwargs):
        finished.append((sender.name, tuple(args or ()), state, retval))

    task_postrun.connect(record, weak=False)
    try:
        with start_worker(
            celery_app,
            pool="solo",
            perform_ping_check=False,
            queues=["default", "email"],
            shutdown_timeout=10,
        ):

            def wait_for(name, args, count, timeout=20):
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline:
                    ran = [row for row in finished if row[0] == name and row[1] == args]
                    if len(ran) >= count:
                        return ran
                    time.sleep(0.05)
                raise AssertionError(f"{name}{args} ran {len(ran)} times, not {count}: {finished}")

            yield wait_for
    finally:
        task_postrun.disconnect(record)
