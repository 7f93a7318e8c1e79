"""Request parsers: camelCase in, snake_case out, and a size limit checked before reading."""

import orjson
from django.conf import settings
from djangorestframework_camel_case.parser import CamelCaseFormParser, CamelCaseMultiPartParser
from djangorestframework_camel_case.util import underscoreize
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from .errors import PayloadTooLarge


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class JSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        request = parser_context["request"]
        if _declared_length(request) > limit:
            raise PayloadTooLarge(limit)
        # Read one byte past the limit so a body without an honest Content-Length is caught too.
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise PayloadTooLarge(limit)
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as exc:
            raise ParseError(f"The body is not valid JSON: {exc}") from None
        return underscoreize(data)


class FormParser(CamelCaseFormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        if _declared_length(parser_context["request"]) > settings.API_MAX_BODY_BYTES:
            raise PayloadTooLarge(settings.API_MAX_BODY_BYTES)
        return super().parse(stream, media_type, parser_context)


class MultiPartParser(CamelCaseMultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        if _declared_length(parser_context["request"]) > settings.API_MAX_UPLOAD_BYTES:
            raise PayloadTooLarge(settings.API_MAX_UPLOAD_BYTES)
        return super().parse(stream, media_type, parser_context)
