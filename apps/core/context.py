"""Who is asking, for code that never sees the request (services writing audit events)."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip: str | None
    user_agent: str


request_context_var: ContextVar[RequestContext | None] = ContextVar("request_context", default=None)


def current_request_context() -> RequestContext | None:
    """The request being served, or None in a task, a command or a shell."""
    return request_context_var.get()
