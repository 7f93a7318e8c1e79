"""The response envelope: `{"success": true, "data": ..., "message"?, "meta"?}`."""

from typing import Any


class Envelope(dict):
    """A body that is already an envelope; the renderer passes it through unwrapped."""


def success(data: Any = None, *, message: str | None = None, meta: dict | None = None) -> Envelope:
    body = Envelope(success=True, data=data)
    if message:
        body["message"] = message
    if meta is not None:
        body["meta"] = meta
    return body


def failure(code: str, message: str, details: list[dict] | None = None) -> Envelope:
    return Envelope(
        success=False, error={"code": code, "message": message, "details": details or []}
    )
