"""Validate uploaded files by their content (magic bytes), never by name or declared type."""

import filetype
from rest_framework import status

from .errors import ApplicationError, ErrorCode

IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif"}


def validate_upload(upload, *, allowed: dict[str, str], max_bytes: int, field: str = "file") -> str:
    """Answer the extension for the sniffed type, or raise FILE_TOO_LARGE / INVALID_FILE_TYPE."""
    if upload is None or not hasattr(upload, "read"):
        raise ApplicationError(
            "Attach a file.", details=[{"field": field, "message": "This field is required."}]
        )
    if upload.size == 0:
        raise ApplicationError(
            "The file is empty.",
            code=ErrorCode.INVALID_FILE_TYPE,
            details=[{"field": field, "message": "The file is empty."}],
        )
    if upload.size > max_bytes:
        message = f"The file is larger than the {max_bytes // (1024 * 1024) or 1} MB allowed."
        raise ApplicationError(
            message,
            code=ErrorCode.FILE_TOO_LARGE,
            status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            details=[{"field": field, "message": message}],
        )
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in allowed:
        accepted = ", ".join(sorted(set(allowed.values()))).upper()
        message = f"This kind of file is not accepted. Accepted: {accepted}."
        raise ApplicationError(
            message,
            code=ErrorCode.INVALID_FILE_TYPE,
            details=[{"field": field, "message": message}],
        )
    return allowed[kind.mime]
