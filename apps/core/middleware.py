import logging
import re
import time
import uuid

from .context import RequestContext, request_context_var
from .logging import request_id_var
from .net import client_ip

access_logger = logging.getLogger("apps.access")

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's id is kept only when it is short and plain, so it cannot forge log lines.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Take the caller's X-Request-ID (when sane) or make one; echo it on the response.

    Also publish the request id, client IP and user agent for the audit trail.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        context_token = request_context_var.set(
            RequestContext(
                request_id=request_id,
                ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
            )
        )
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            return response
        finally:
            request_context_var.reset(context_token)
            request_id_var.reset(token)


class AccessLogMiddleware:
    """One structured line per request: method, path, status, duration, user, client IP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        access_logger.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "user_id": str(user.pk) if user is not None and user.is_authenticated else None,
                "ip": client_ip(request),
            },
        )
        return response
