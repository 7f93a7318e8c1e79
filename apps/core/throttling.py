"""Rate limits counted by django-ratelimit in the shared cache (Redis when configured).

Three groups, each a setting: auth endpoints per IP, anonymous callers per IP, signed-in
callers per user. The throttle runs after authentication, so the user is known.

API keys have a fourth budget of their own, per key (`API_KEY_RATE_LIMIT`), spent by the key's
authentication (`spend_api_key_request`) so that even a request the key may not make is
counted and answers the X-RateLimit-* headers; such requests skip the per-user budget.
"""

import time

from django.conf import settings
from django_ratelimit.core import get_usage
from rest_framework.exceptions import Throttled
from rest_framework.throttling import BaseThrottle

from .net import client_ip

# Set on a request whose API key has been counted against its own budget.
_COUNTED_PER_KEY = "counted_per_api_key"


def _ip_key(group, request):
    return client_ip(request)


def _user_key(group, request):
    return str(request.user.pk)


class _RatelimitThrottle(BaseThrottle):
    group: str
    rate_setting: str
    key_func = None

    def allow_request(self, request, view):
        self.wait_seconds = None
        usage = get_usage(
            request,
            group=self.group,
            key=self.key_func,
            rate=getattr(settings, self.rate_setting),
            increment=True,
        )
        if usage is None or not usage["should_limit"]:
            return True
        self.wait_seconds = max(1, usage["time_left"])
        return False

    def wait(self):
        return self.wait_seconds


class RequestRateThrottle(_RatelimitThrottle):
    """The default for every endpoint: per user when signed in, otherwise per IP. A request made
    with an API key was counted against the key's budget already."""

    def allow_request(self, request, view):
        if getattr(request, _COUNTED_PER_KEY, False):
            return True
        if request.user and request.user.is_authenticated:
            self.group, self.rate_setting, self.key_func = "api-user", "RATE_LIMIT_USER", _user_key
        else:
            self.group, self.rate_setting, self.key_func = "api-anon", "RATE_LIMIT_ANON", _ip_key
        return super().allow_request(request, view)


class AuthRateThrottle(_RatelimitThrottle):
    """For sign-up, sign-in and token endpoints: per IP, whoever the caller claims to be."""

    group = "auth"
    rate_setting = "RATE_LIMIT_AUTH"
    key_func = staticmethod(_ip_key)


def spend_api_key_request(request, view, *, key_id: str) -> None:
    """Count one request against an API key's budget; raise Throttled (429) past it.

    The X-RateLimit-Limit, -Remaining and -Reset (unix seconds when the window ends) headers go
    into the view's response headers, which DRF copies onto whatever the view answers: the
    success, an error raised later, or this 429.
    """
    setattr(request, _COUNTED_PER_KEY, True)
    usage = get_usage(
        request,
        group="api-key",
        key=lambda group, request: key_id,
        rate=settings.API_KEY_RATE_LIMIT,
        increment=True,
    )
    if usage is None:  # limits switched off, or the cache failed and we fail open
        return
    time_left = max(0, usage["time_left"])
    headers = getattr(view, "headers", None)
    if headers is not None:
        headers["X-RateLimit-Limit"] = str(usage["limit"])
        headers["X-RateLimit-Remaining"] = str(max(0, usage["limit"] - usage["count"]))
        headers["X-RateLimit-Reset"] = str(int(time.time()) + time_left)
    if usage["should_limit"]:
        raise Throttled(wait=max(1, time_left))
