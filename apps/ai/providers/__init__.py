"""Who writes summaries: `get_provider()` answers the one AI_PROVIDER names.

`extractive` (the default) is offline and instant, so summaries are made inside the request;
`gemini` calls Google's API, so summaries are made by a Celery task on the `ai` queue."""

from django.conf import settings

from apps.core.errors import ApplicationError, ErrorCode

from .base import (
    PROVIDER_ERROR,
    PROVIDER_UNAVAILABLE,
    ProviderError,
    ProviderRejected,
    ProviderUnavailable,
    SummaryProvider,
    api_error,
)
from .extractive import ExtractiveProvider
from .gemini import GeminiProvider

PROVIDERS = ("extractive", "gemini")

__all__ = [
    "PROVIDERS",
    "PROVIDER_ERROR",
    "PROVIDER_UNAVAILABLE",
    "ExtractiveProvider",
    "GeminiProvider",
    "ProviderError",
    "ProviderRejected",
    "ProviderUnavailable",
    "SummaryProvider",
    "api_error",
    "get_provider",
]


def _not_configured(message: str) -> ApplicationError:
    return ApplicationError(message, code=ErrorCode.NOT_CONFIGURED, status_code=503)


def get_provider(name: str | None = None, *, model: str | None = None) -> SummaryProvider:
    """The provider named (a job's), or the configured one; `model` pins a job's model."""
    name = name or settings.AI_PROVIDER
    if name == "extractive":
        return ExtractiveProvider()
    if name == "gemini":
        if not settings.GEMINI_API_KEY:
            raise _not_configured("AI summaries use Gemini here, but GEMINI_API_KEY is not set.")
        return GeminiProvider.from_settings(model=model)
    raise _not_configured(f"AI_PROVIDER is {name!r}; it must be one of {', '.join(PROVIDERS)}.")
