"""The provider interface: `summarize(material) -> text`, and the two ways it can fail."""

from typing import Protocol

from apps.core.errors import ApplicationError

from ..material import Material

PROVIDER_UNAVAILABLE = "AI_PROVIDER_UNAVAILABLE"
PROVIDER_ERROR = "AI_PROVIDER_ERROR"


class ProviderError(Exception):
    """The provider did not produce a summary. The message is shown to the person who asked."""

    code = PROVIDER_ERROR
    status_code = 502

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def as_api_error(self) -> ApplicationError:
        return api_error(self.code, self.message)


class ProviderUnavailable(ProviderError):
    """Down, overloaded, rate limited, timed out or behind an open circuit: worth a later try."""

    code = PROVIDER_UNAVAILABLE
    status_code = 503


class ProviderRejected(ProviderError):
    """The provider refused the request or answered nothing usable: trying again won't help."""


def api_error(code: str, message: str) -> ApplicationError:
    if code == PROVIDER_UNAVAILABLE:
        return ApplicationError(message, code=code, status_code=503, headers={"Retry-After": "30"})
    return ApplicationError(message, code=code or PROVIDER_ERROR, status_code=502)


class SummaryProvider(Protocol):
    name: str
    model: str
    # Fast and local: summarize in the request instead of on the `ai` queue.
    inline: bool

    @property
    def key(self) -> str:
        """Who summarizes, as part of the cache key (a new model makes new summaries)."""

    def summarize(self, material: Material) -> str: ...
