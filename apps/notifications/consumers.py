"""The one websocket endpoint, `/ws/`, that carries every real-time event of the platform.

Authentication, one of:

- the dashboard's session cookie (`AuthMiddlewareStack` in config/asgi.py): ready at once;
- a first message `{"type": "auth", "token": "<access JWT>"}` within `auth_timeout` seconds.
  The socket then lives until the token expires (closed with 4401) unless the client sends a
  fresh token the same way before then.

Never a token in the URL (URLs end up in access logs): a query string carrying one is refused.
The origin is checked against ALLOWED_HOSTS before any of this (`AllowedHostsOriginValidator`),
so another site's page cannot use a visitor's cookie; clients outside a browser must send an
`Origin` header naming this site.

Once authenticated the socket is in its user's group (`realtime.user_group`) and receives
`{"type": "ready", "data": {"userId", "expiresAt"}}`; then every event published to its groups
arrives as `{"type": "<event>", "data": {...}}` (`notification:new` carries the notification as
the API answers it).

Client messages are JSON objects with a string `type`, dispatched through `HANDLERS`. Other
apps add theirs without touching this module (the chat's `conversation:join`, `typing:start`):

    from apps.notifications.consumers import handles

    @handles("conversation:join")
    async def join(consumer, message):
        ...  # message is the whole object; await consumer.join_group(...)

imported from their AppConfig.ready(); `ON_AUTHENTICATED` and `ON_DISCONNECT` take coroutines
`(consumer)` for presence. A handler that raises ApplicationError answers an `error` event
with its code; an unknown type answers `error` with `UNKNOWN_TYPE`; neither closes the
socket.

Close codes (4000 + the HTTP status they mirror; `CloseCode`): 4400 a token in the URL,
4401 a bad, expired or revoked token (or a message other than `auth` first), 4403 an `auth`
message for another user, 4408 no `auth` message in time.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from enum import IntEnum
from urllib.parse import parse_qs

import orjson
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.exceptions import ImproperlyConfigured
from rest_framework.exceptions import AuthenticationFailed

from apps.accounts.authentication import SessionJWTAuthentication
from apps.core.errors import ApplicationError

from .realtime import user_group, wire


class CloseCode(IntEnum):
    # A token in the URL (refused before the handshake completes).
    BAD_REQUEST = 4400
    # A bad, expired or revoked token, or a message other than `auth` before signing in.
    UNAUTHORIZED = 4401
    # An `auth` message for another user on a signed-in socket.
    FORBIDDEN = 4403
    # No `auth` message within `auth_timeout` seconds.
    AUTH_TIMEOUT = 4408


Handler = Callable[["RealtimeConsumer", dict], Awaitable[None]]
Hook = Callable[["RealtimeConsumer"], Awaitable[None]]

HANDLERS: dict[str, Handler] = {}
ON_AUTHENTICATED: list[Hook] = []
ON_DISCONNECT: list[Hook] = []

TOKEN_MAX_LENGTH = 4096
# Query parameters that would put a credential in the URL.
CREDENTIAL_PARAMS = frozenset({"token", "access", "access_token", "jwt", "auth"})


def handles(message_type: str) -> Callable[[Handler], Handler]:
    """Register the handler of a client message type."""

    def register(handler: Handler) -> Handler:
        if message_type == "auth" or message_type in HANDLERS:
            raise ImproperlyConfigured(f"A websocket handler for {message_type!r} exists already")
        HANDLERS[message_type] = handler
        return handler

    return register


@handles("ping")
async def _ping(consumer: "RealtimeConsumer", message: dict) -> None:
    await consumer.send_event("pong", {})


class _BearerRequest:
    """What SessionJWTAuthentication reads of a request: the Authorization header."""

    def __init__(self, token: str):
        self.META = {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@database_sync_to_async
def _user_for_access_token(token: str):
    """(user, expiry) for an access token whose sign-in session is active, else None: the
    same rules as the API's Bearer authentication."""
    try:
        authenticated = SessionJWTAuthentication().authenticate(_BearerRequest(token))
    except AuthenticationFailed:
        return None
    if authenticated is None:
        return None
    user, validated = authenticated
    return user, datetime.fromtimestamp(validated["exp"], tz=UTC)


def _credential_in_url(scope) -> bool:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return bool(CREDENTIAL_PARAMS & {name.lower() for name in query})


class RealtimeConsumer(AsyncJsonWebsocketConsumer):
    # Seconds an unauthenticated socket may stay open waiting for its `auth` message.
    auth_timeout = 5.0

    async def connect(self):
        self.user = None
        self.expires_at: datetime | None = None
        self.closing = False
        self._auth_deadline: asyncio.Task | None = None
        self._expiry: asyncio.Task | None = None
        if _credential_in_url(self.scope):
            await self.close(code=CloseCode.BAD_REQUEST)
            return
        await self.accept()
        user = self.scope.get("user")
        if user is not None and user.is_authenticated:
            await self._sign_in(user)
        else:
            self._auth_deadline = self._close_later(self.auth_timeout, CloseCode.AUTH_TIMEOUT)

    async def disconnect(self, code):
        self.closing = True
        self._cancel_timers()
        if self.user is not None:
            for hook in ON_DISCONNECT:
                await hook(self)

    # --- Client messages ------------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if self.closing:
            return
        message = _parse(text_data)
        if self.user is None:
            if message is None or message["type"] != "auth":
                await self._close(CloseCode.UNAUTHORIZED)
            else:
                await self._authenticate(message)
            return
        if message is None:
            await self.send_error("BAD_MESSAGE", "Send a JSON object with a string `type`.")
        elif message["type"] == "auth":
            await self._authenticate(message)
        elif message["type"] not in HANDLERS:
            await self.send_error("UNKNOWN_TYPE", f"Unknown message type {message['type']!r}.")
        else:
            try:
                await HANDLERS[message["type"]](self, message)
            except ApplicationError as error:
                await self.send_error(error.code, error.message)

    async def _authenticate(self, message: dict) -> None:
        token = message.get("token")
        found = None
        if isinstance(token, str) and 0 < len(token) <= TOKEN_MAX_LENGTH:
            found = await _user_for_access_token(token)
        if found is None:
            await self._close(CloseCode.UNAUTHORIZED)
            return
        user, expires_at = found
        if self.user is not None and self.user.pk != user.pk:
            await self._close(CloseCode.FORBIDDEN)
            return
        if self.user is not None and self.expires_at is None:
            # Signed in by its session cookie: a token neither adds nor moves an expiry.
            await self._send_ready()
            return
        self._cancel(self._auth_deadline)
        self._cancel(self._expiry)
        self.expires_at = expires_at
        self._expiry = self._close_later(
            expires_at.timestamp() - time.time(), CloseCode.UNAUTHORIZED
        )
        if self.user is None:
            await self._sign_in(user)
        else:
            await self._send_ready()

    async def _sign_in(self, user) -> None:
        self.user = user
        await self.join_group(user_group(user.pk))
        for hook in ON_AUTHENTICATED:
            await hook(self)
        await self._send_ready()

    async def _send_ready(self) -> None:
        await self.send_event("ready", {"user_id": self.user.pk, "expires_at": self.expires_at})

    # --- Server events ----------------------------------------------------------------------

    async def realtime_event(self, message: dict) -> None:
        """A `realtime.publish*` event for one of this socket's groups."""
        if not self.closing:
            await self.send_json({"type": message["event"], "data": message["data"]})

    # --- For handlers -----------------------------------------------------------------------

    async def send_event(self, event: str, data) -> None:
        await self.send_json({"type": event, "data": wire(data)})

    async def send_error(self, code: str, message: str) -> None:
        await self.send_event("error", {"code": code, "message": message})

    async def join_group(self, group: str) -> None:
        """Receive the group's events until leaving it or disconnecting."""
        if group not in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups.append(group)

    async def leave_group(self, group: str) -> None:
        if group in self.groups:
            await self.channel_layer.group_discard(group, self.channel_name)
            self.groups.remove(group)

    @classmethod
    async def encode_json(cls, content):
        return orjson.dumps(content).decode()

    # --- Closing ----------------------------------------------------------------------------

    def _close_later(self, delay: float, code: CloseCode) -> asyncio.Task:
        async def close_then():
            await asyncio.sleep(max(delay, 0))
            await self._close(code)

        return asyncio.create_task(close_then())

    @staticmethod
    def _cancel(task: asyncio.Task | None) -> None:
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    def _cancel_timers(self) -> None:
        self._cancel(self._auth_deadline)
        self._cancel(self._expiry)

    async def _close(self, code: CloseCode) -> None:
        if self.closing:
            return
        self.closing = True
        self._cancel_timers()
        await self.close(code=code)


def _parse(text_data) -> dict | None:
    """The message, if it is a JSON object with a string `type`."""
    if not text_data:
        return None
    try:
        message = orjson.loads(text_data)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return None
    return message
