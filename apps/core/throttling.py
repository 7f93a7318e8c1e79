"""Rate limits counted by django-ratelimit in the shared cache (Redis when configured).

Three groups, each a setting: auth endpoints per IP, anonymous callers per IP, signed-in
callers per user. The throttle runs after authentication, so the user is known.
"""

from django.conf import settings
from django_ratelimit.core import get_usage
from rest_framework.throttling import BaseThrottle

from .net import client_ip


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
    """The default for every endpoint: per user when signed in, otherwise per IP."""

    def allow_request(self, request, view):
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
