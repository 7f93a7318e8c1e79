import orjson
from djangorestframework_camel_case.util import camelize
from rest_framework.renderers import BaseRenderer

from .envelope import Envelope, success


class EnvelopeJSONRenderer(BaseRenderer):
    """Wrap every body in the envelope, camelCase its keys and encode it with orjson."""

    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code == 204:
            return b""
        if not isinstance(data, Envelope):
            data = success(data)
        return orjson.dumps(camelize(data), option=orjson.OPT_NON_STR_KEYS, default=str)
