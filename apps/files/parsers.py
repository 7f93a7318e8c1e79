"""The multipart parser of the upload endpoints.

Two differences from the API's own: an upload that is too big is refused as FILE_TOO_LARGE
before its body is read, and each file keeps the name the client sent (`raw_name`). Django
strips folders from upload names ("../../etc/passwd" arrives as "passwd"), which would hide
exactly the names `apps.files.validation` must refuse.
"""

from django.conf import settings
from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.http.multipartparser import MultiPartParserError
from djangorestframework_camel_case.settings import api_settings
from djangorestframework_camel_case.util import underscoreize
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import DataAndFiles

from apps.core.errors import ApplicationError, ErrorCode
from apps.core.parsers import MultiPartParser

# Room for the form's other fields and the multipart framing around the file.
MULTIPART_ALLOWANCE = 64 * 1024


class _NameKeepingParser(DjangoMultiPartParser):
    _raw_name = None

    def sanitize_file_name(self, file_name):
        self._raw_name = file_name
        # Django drops a part whose name sanitizes to nothing ("..", "."); keep it, so that it
        # is refused by name rather than vanishing into "attach a file".
        return super().sanitize_file_name(file_name) or "unnamed"

    def handle_file_complete(self, old_field_name, counters):
        before = sum(len(files) for files in self._files.lists())
        super().handle_file_complete(old_field_name, counters)
        if sum(len(files) for files in self._files.lists()) > before:
            self._files.getlist(old_field_name)[-1].raw_name = self._raw_name


class UploadParser(MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        request = parser_context["request"]
        limit = settings.FILE_MAX_BYTES + MULTIPART_ALLOWANCE
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            message = f"The upload is larger than the {settings.FILE_MAX_BYTES} bytes allowed."
            raise ApplicationError(
                message,
                code=ErrorCode.FILE_TOO_LARGE,
                status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
                details=[{"field": "file", "message": message}],
            )
        meta = request.META.copy()
        meta["CONTENT_TYPE"] = media_type
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            parser = _NameKeepingParser(meta, stream, request.upload_handlers, encoding)
            data, files = parser.parse()
        except MultiPartParserError as exc:
            raise ParseError(f"Multipart form parse error - {exc}") from None
        return DataAndFiles(
            underscoreize(data, **api_settings.JSON_UNDERSCOREIZE),
            underscoreize(files, **api_settings.JSON_UNDERSCOREIZE),
        )
