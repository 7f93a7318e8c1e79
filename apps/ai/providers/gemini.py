"""Gemini through the official google-genai client: the API key, a timeout, the client's own
retries (tenacity, exponential backoff with jitter, on 408/429/5xx and network errors) and a
`pybreaker` circuit breaker around the whole call, so an outage fails fast instead of holding
every job for the full timeout and retries. Gemini's errors become ProviderErrors here and
nowhere else.

The breaker's state is per process, as the Stripe gateway's is.
"""

import logging
from functools import lru_cache

import httpx2
import pybreaker
from django.conf import settings
from google import genai
from google.genai import errors, types

from ..material import Material
from .base import ProviderRejected, ProviderUnavailable

logger = logging.getLogger(__name__)

# What Google's own retry strategy treats as transient; anything else is about our request.
TRANSIENT_CODES = (408, 429, 500, 502, 503, 504)
MAX_RETRY_DELAY_SECONDS = 30.0

SYSTEM_INSTRUCTION = (
    "You summarize a freelancer's records about one of their clients or projects, for the "
    "freelancer. Write three to five sentences of plain text, no markdown and no lists: where "
    "the work stands, what comes next, and any risk or open question the notes raise. Use "
    "only what the records say; do not invent dates, amounts or names."
)


def _setting(name: str, default):
    # Tuning knobs: the defaults hold until config/settings declares them.
    return getattr(settings, name, default)


@lru_cache(maxsize=4)
def _client(
    api_key: str, base_url: str, timeout_ms: int, attempts: int, delay: float
) -> genai.Client:
    return genai.Client(
        api_key=api_key,
        http_options=types.HttpOptions(
            base_url=base_url or None,
            timeout=timeout_ms,
            retry_options=types.HttpRetryOptions(
                attempts=attempts,
                initial_delay=delay,
                max_delay=max(delay, MAX_RETRY_DELAY_SECONDS),
                exp_base=2,
                jitter=delay,
                http_status_codes=list(TRANSIENT_CODES),
            ),
        ),
    )


def _about_our_request(error: BaseException) -> bool:
    """A refused request (bad argument, bad key) says nothing about Gemini's health."""
    return isinstance(error, errors.ClientError) and error.code not in TRANSIENT_CODES


@lru_cache(maxsize=4)
def _breaker(fail_max: int, reset_timeout: float) -> pybreaker.CircuitBreaker:
    return pybreaker.CircuitBreaker(
        fail_max=fail_max, reset_timeout=reset_timeout, exclude=[_about_our_request], name="gemini"
    )


def reset_breaker() -> None:
    """Close the circuit (tests, or an operator after fixing the cause)."""
    _breaker.cache_clear()


class GeminiProvider:
    name = "gemini"
    inline = False

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        base_url: str = "",
        timeout_seconds: float = 30,
        max_retries: int = 3,
        retry_delay: float = 1.0,
        breaker_failures: int = 5,
        breaker_reset_seconds: float = 60,
    ):
        self.model = model
        self._client = _client(
            api_key, base_url, int(timeout_seconds * 1000), max_retries + 1, retry_delay
        )
        self._breaker = _breaker(breaker_failures, breaker_reset_seconds)

    @classmethod
    def from_settings(cls, *, model: str | None = None) -> "GeminiProvider":
        return cls(
            api_key=settings.GEMINI_API_KEY,
            model=model or settings.GEMINI_MODEL,
            base_url=settings.GEMINI_API_BASE,
            timeout_seconds=settings.AI_TIMEOUT_SECONDS,
            max_retries=settings.AI_MAX_RETRIES,
            retry_delay=_setting("AI_RETRY_DELAY_SECONDS", 1.0),
            breaker_failures=_setting("AI_BREAKER_FAILURES", 5),
            breaker_reset_seconds=_setting("AI_BREAKER_RESET_SECONDS", 60),
        )

    @property
    def key(self) -> str:
        return f"{self.name}:{self.model}"

    def summarize(self, material: Material) -> str:
        try:
            response = self._breaker.call(self._generate, material)
        except pybreaker.CircuitBreakerError:
            logger.warning("gemini circuit open; refusing the call")
            raise ProviderUnavailable(
                "The AI provider has been failing; summaries are paused for a minute."
            ) from None
        except errors.APIError as error:
            raise _translated(error) from error
        except (httpx2.TransportError, errors.UnknownApiResponseError) as error:
            logger.warning("gemini unreachable: %s", error)
            raise ProviderUnavailable("The AI provider could not be reached.") from error
        text = (response.text or "").strip()
        if not text:
            candidates = response.candidates or []
            reason = candidates[0].finish_reason if candidates else None
            reason = getattr(reason, "value", reason) or "none"
            raise ProviderRejected(
                f"The AI provider answered without a summary (finish reason: {reason})."
            )
        return text

    def _generate(self, material: Material) -> types.GenerateContentResponse:
        return self._client.models.generate_content(
            model=self.model,
            contents=material.as_text(),
            config=types.GenerateContentConfig(
                system_instruction=SYSTEM_INSTRUCTION, temperature=0.2
            ),
        )


def _translated(error: errors.APIError) -> Exception:
    code = error.code
    if code in TRANSIENT_CODES or isinstance(error, errors.ServerError):
        logger.warning("gemini failed after retries: %s %s", code, error.message)
        return ProviderUnavailable(f"The AI provider is not answering (HTTP {code}).")
    if code in (401, 403):
        logger.error("gemini refused our API key: %s", error.message)
        return ProviderRejected("The AI provider refused this server's credentials.")
    logger.warning("gemini refused a request: %s %s", code, error.message)
    return ProviderRejected(f"The AI provider refused the request (HTTP {code}).")
