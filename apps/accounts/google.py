"""Verify Google ID tokens with google-auth against Google's published certificates."""

import functools

import google.auth.exceptions
import google.auth.transport.requests
import requests
from django.conf import settings
from google.oauth2 import id_token as google_id_token
from requests.adapters import HTTPAdapter
from rest_framework import status
from urllib3.util.retry import Retry

from apps.core.errors import ApplicationError, ErrorCode

GOOGLE_ISSUERS = {"accounts.google.com", "https://accounts.google.com"}
CERTS_TIMEOUT_SECONDS = 5


@functools.cache
def _http_session() -> requests.Session:
    """One pooled session; a failed certificate fetch is retried twice with backoff."""
    session = requests.Session()
    retry = Retry(
        total=2, backoff_factor=0.2, status_forcelist=(500, 502, 503, 504), allowed_methods={"GET"}
    )
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.mount("http://", HTTPAdapter(max_retries=retry))
    return session


def verify_google_id_token(token: str) -> dict:
    """Answer the token's claims, or raise ApplicationError (401, or 503 when not configured)."""
    if not settings.GOOGLE_CLIENT_ID:
        raise ApplicationError(
            "Google sign-in is not configured on this server.",
            code=ErrorCode.NOT_CONFIGURED,
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    transport = google.auth.transport.requests.Request(session=_http_session())
    request = functools.partial(transport, timeout=CERTS_TIMEOUT_SECONDS)
    try:
        claims = google_id_token.verify_token(
            token,
            request,
            audience=settings.GOOGLE_CLIENT_ID,
            certs_url=settings.GOOGLE_CERTS_URL,
            clock_skew_in_seconds=10,
        )
    except google.auth.exceptions.TransportError:
        raise ApplicationError(
            "Google's certificates could not be fetched. Try again shortly.",
            code=ErrorCode.SERVICE_UNAVAILABLE,
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        ) from None
    except (ValueError, TypeError, google.auth.exceptions.GoogleAuthError) as exc:
        raise ApplicationError(
            f"The Google ID token was rejected: {exc}",
            code=ErrorCode.UNAUTHORIZED,
            status_code=status.HTTP_401_UNAUTHORIZED,
        ) from None
    if claims.get("iss") not in GOOGLE_ISSUERS:
        raise ApplicationError(
            "The Google ID token was not issued by Google.",
            code=ErrorCode.UNAUTHORIZED,
            status_code=status.HTTP_401_UNAUTHORIZED,
        )
    # Google has sent this claim both as a boolean and as the string "true".
    if not claims.get("email") or claims.get("email_verified") not in (True, "true"):
        raise ApplicationError(
            "The Google account has no verified email address.",
            code=ErrorCode.UNAUTHORIZED,
            status_code=status.HTTP_401_UNAUTHORIZED,
        )
    return claims
