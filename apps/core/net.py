import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The caller's address: the socket peer, or the hop a trusted proxy saw.

    With `TRUSTED_PROXY_COUNT = n`, the n-th address from the right of X-Forwarded-For is the
    one our own outermost proxy appended; anything left of it is what the client claims.
    """
    remote = request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104 - a placeholder, not a bind
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            candidate = forwarded[-hops]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return remote
