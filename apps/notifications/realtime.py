"""Real-time events for websocket clients (the consumer is `consumers.RealtimeConsumer`).

Services publish with `publish_on_commit`, so a client never hears of a row that was rolled
back, and a failed publish (Redis away) is logged without failing the request that committed.
Each signed-in socket is in its user's group; the chat adds conversation groups.
"""

import logging
from functools import partial
from typing import Any

import orjson
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from apps.core.renderers import camelize

logger = logging.getLogger(__name__)

NOTIFICATION_NEW = "notification:new"
# The channel layer message type; the consumer's `realtime_event` method handles it.
LAYER_MESSAGE_TYPE = "realtime.event"


def user_group(user_id) -> str:
    """Group names allow letters, digits, `-`, `_` and `.`: Convo's `user:<id>` becomes this."""
    return f"user.{user_id}"


def wire(data: Any) -> Any:
    """The payload as the API would answer it (camelCase keys, ISO dates, string ids), in
    plain types the Redis layer can serialize."""
    return orjson.loads(
        orjson.dumps(camelize(data), option=orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS, default=str)
    )


def _send(group: str, event: str, payload: Any) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    async_to_sync(layer.group_send)(
        group, {"type": LAYER_MESSAGE_TYPE, "event": event, "data": payload}
    )


def publish(*, group: str, event: str, data: Any) -> None:
    """Send now. Prefer `publish_on_commit` in services."""
    _send(group, event, wire(data))


def publish_on_commit(*, group: str, event: str, data: Any) -> None:
    """Send `{"type": event, "data": data}` to the group's sockets once the transaction
    commits; nothing if it rolls back. The payload is taken now, as this transaction sees it."""
    transaction.on_commit(partial(_send, group, event, wire(data)), robust=True)
