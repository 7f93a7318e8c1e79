"""Stripe's error answer: the exception handlers raise and the body it becomes."""

from __future__ import annotations

from typing import Any


class StripeAPIError(Exception):
    """An error answered in Stripe's shape: {"error": {"type", "code", "message", "param"}}."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        error_type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        **extra: Any,
    ):
        super().__init__(message)
        self.status = status
        self.error: dict[str, Any] = {"type": error_type, "message": message}
        if code:
            self.error["code"] = code
            self.error["doc_url"] = _doc_url(code)
        if param is not None:
            self.error["param"] = param
        self.error.update(extra)


def _doc_url(code: str) -> str:
    return f"https://docs.stripe.com/error-codes/{code.replace('_', '-')}"
