"""The API's error codes and the exception that services raise to answer with one."""

from rest_framework import status


class ErrorCode:
    VALIDATION_ERROR = "VALIDATION_ERROR"
    MALFORMED_REQUEST = "MALFORMED_REQUEST"
    UNAUTHORIZED = "UNAUTHORIZED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    NOT_ACCEPTABLE = "NOT_ACCEPTABLE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    DUPLICATE_RESOURCE = "DUPLICATE_RESOURCE"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    RATE_LIMIT_EXCEEDED = "RATE_LIMIT_EXCEEDED"
    AI_QUOTA_EXCEEDED = "AI_QUOTA_EXCEEDED"
    FILE_TOO_LARGE = "FILE_TOO_LARGE"
    INVALID_FILE_TYPE = "INVALID_FILE_TYPE"
    NOT_CONFIGURED = "NOT_CONFIGURED"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    INTERNAL_ERROR = "INTERNAL_ERROR"


class ApplicationError(Exception):
    """A business rule said no. The exception handler turns it into the error envelope."""

    def __init__(
        self,
        message: str,
        *,
        code: str = ErrorCode.VALIDATION_ERROR,
        status_code: int = status.HTTP_400_BAD_REQUEST,
        details: list[dict] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.status_code = status_code
        self.details = details or []
        self.headers = headers or {}


class PayloadTooLarge(ApplicationError):
    def __init__(self, limit: int):
        super().__init__(
            f"The request body is larger than the {limit} bytes this endpoint accepts.",
            code=ErrorCode.PAYLOAD_TOO_LARGE,
            status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )


class Unauthorized(ApplicationError):
    """401 that holds even on views without authentication classes (DRF would answer 403)."""

    def __init__(self, message: str):
        super().__init__(
            message,
            code=ErrorCode.UNAUTHORIZED,
            status_code=status.HTTP_401_UNAUTHORIZED,
            headers={"WWW-Authenticate": 'Bearer realm="api"'},
        )
