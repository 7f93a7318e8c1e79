"""One exception handler turns every error into the envelope with its code and status."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from djangorestframework_camel_case.util import camelize_re, underscore_to_camel
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError

from .envelope import failure
from .errors import ApplicationError, ErrorCode

logger = logging.getLogger(__name__)

_CODES = [
    (exceptions.ParseError, ErrorCode.MALFORMED_REQUEST),
    (exceptions.ValidationError, ErrorCode.VALIDATION_ERROR),
    (exceptions.NotAuthenticated, ErrorCode.UNAUTHORIZED),
    (exceptions.AuthenticationFailed, ErrorCode.UNAUTHORIZED),
    (exceptions.PermissionDenied, ErrorCode.FORBIDDEN),
    (exceptions.NotFound, ErrorCode.NOT_FOUND),
    (exceptions.MethodNotAllowed, ErrorCode.METHOD_NOT_ALLOWED),
    (exceptions.NotAcceptable, ErrorCode.NOT_ACCEPTABLE),
    (exceptions.UnsupportedMediaType, ErrorCode.UNSUPPORTED_MEDIA_TYPE),
    (exceptions.Throttled, ErrorCode.RATE_LIMIT_EXCEEDED),
]

_MESSAGES = {
    ErrorCode.VALIDATION_ERROR: "The request has invalid fields.",
    ErrorCode.NOT_FOUND: "Not found.",
}


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, TokenError):
        exc = InvalidToken(str(exc))

    if isinstance(exc, ApplicationError):
        response = Response(
            failure(exc.code, exc.message, exc.details), status=exc.status_code, headers=exc.headers
        )
        return response

    if not isinstance(exc, exceptions.APIException):
        logger.exception("Unhandled error", exc_info=exc)
        return Response(
            failure(ErrorCode.INTERNAL_ERROR, "Something went wrong on our side."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )

    code = next((code for cls, code in _CODES if isinstance(exc, cls)), ErrorCode.INTERNAL_ERROR)
    headers = {}
    if isinstance(exc, exceptions.Throttled):
        headers["Retry-After"] = str(max(1, int(exc.wait or 1)))
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    elif isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        headers["WWW-Authenticate"] = 'Bearer realm="api"'

    if isinstance(exc, exceptions.ValidationError):
        details = list(_flatten(exc.detail))
        message = details[0]["message"] if len(details) == 1 else _MESSAGES[code]
    else:
        details = []
        message = _message_of(exc)
    if isinstance(exc, exceptions.Throttled):
        message = f"Too many requests. Try again in {headers['Retry-After']} seconds."
    return Response(failure(code, message, details), status=exc.status_code, headers=headers)


def _message_of(exc: exceptions.APIException) -> str:
    detail = exc.detail
    if isinstance(detail, dict):
        # simplejwt puts the human message under "detail" beside a list of per-token messages.
        detail = detail.get("detail") or next(iter(detail.values()), "")
    if isinstance(detail, list):
        detail = detail[0] if detail else ""
    return str(detail)


def _camel(name: str) -> str:
    return camelize_re.sub(underscore_to_camel, name)


def _flatten(detail, path: str = ""):
    """Yield `{field, message}` for every leaf of a DRF error tree; the path is camelCase."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                yield from _flatten(value, path)
            else:
                yield from _flatten(
                    value, f"{path}.{_camel(str(key))}" if path else _camel(str(key))
                )
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            for item in detail:
                yield {"field": path or None, "message": str(item)}
        else:
            for index, item in enumerate(detail):
                yield from _flatten(item, f"{path}.{index}" if path else str(index))
    else:
        yield {"field": path or None, "message": str(detail)}
