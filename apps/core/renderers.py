from functools import lru_cache

import orjson
from djangorestframework_camel_case.util import (
    camel_to_underscore,
    camelize_re,
    underscore_to_camel,
)
from rest_framework.renderers import BaseRenderer

from .envelope import Envelope, success

_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_UTC_Z


@lru_cache(maxsize=4096)
def camel_key(key: str) -> str:
    return camelize_re.sub(underscore_to_camel, key)


@lru_cache(maxsize=4096)
def snake_key(key: str) -> str:
    return camel_to_underscore(key)


def camelize(data):
    """camelCase every key, as djangorestframework-camel-case does, with each key converted
    once per process instead of once per row."""
    if isinstance(data, dict):
        return {
            (camel_key(key) if isinstance(key, str) else key): camelize(value)
            for key, value in data.items()
        }
    if isinstance(data, (list, tuple)):
        return [camelize(item) for item in data]
    return data


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
        return orjson.dumps(camelize(data), option=_ORJSON_OPTIONS, default=str)
