"""Operations endpoints: liveness, readiness, version, and JSON answers for Django's own errors."""

import hmac
import platform

from django.conf import settings
from django.http import HttpResponse
from django.views.defaults import page_not_found, server_error
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .envelope import failure
from .errors import ErrorCode
from .health import readiness
from .renderers import EnvelopeJSONRenderer


class _OpsView(APIView):
    """Probes answer without authentication, throttling or a database session lookup."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []


_CheckSerializer = inline_serializer(
    "HealthCheck", {"ok": serializers.BooleanField(), "detail": serializers.CharField()}
)
_HealthSerializer = inline_serializer(
    "Health",
    {
        "status": serializers.ChoiceField(choices=["ok", "unavailable"]),
        "checks": serializers.DictField(child=_CheckSerializer),
        "version": serializers.CharField(),
    },
)
_LiveSerializer = inline_serializer("Liveness", {"status": serializers.CharField()})


class LivenessView(_OpsView):
    @extend_schema(tags=["operations"], responses=_LiveSerializer, summary="The process is up")
    def get(self, request):
        return Response({"status": "ok"})


class RootLivenessView(LivenessView):
    """`/health`, outside the API prefix, for load balancers that expect it there."""

    @extend_schema(tags=["operations"], responses=_LiveSerializer, operation_id="liveness_root")
    def get(self, request):
        return super().get(request)


class ReadinessView(_OpsView):
    @extend_schema(
        tags=["operations"],
        responses={200: _HealthSerializer, 503: _HealthSerializer},
        summary="Database, cache and (when configured) broker are reachable",
    )
    def get(self, request):
        ok, checks = readiness()
        body = {
            "status": "ok" if ok else "unavailable",
            "checks": checks,
            "version": settings.APP_VERSION,
        }
        return Response(
            body, status=status.HTTP_200_OK if ok else status.HTTP_503_SERVICE_UNAVAILABLE
        )


class VersionView(_OpsView):
    @extend_schema(
        tags=["operations"],
        responses=inline_serializer(
            "Version",
            {
                "name": serializers.CharField(),
                "version": serializers.CharField(),
                "commit": serializers.CharField(),
                "environment": serializers.CharField(),
                "python": serializers.CharField(),
            },
        ),
    )
    def get(self, request):
        return Response(
            {
                "name": settings.APP_NAME,
                "version": settings.APP_VERSION,
                "commit": settings.GIT_COMMIT,
                "environment": settings.ENVIRONMENT,
                "python": platform.python_version(),
            }
        )


def _json_error(code: str, message: str, status_code: int) -> HttpResponse:
    body = EnvelopeJSONRenderer().render(failure(code, message))
    return HttpResponse(body, status=status_code, content_type="application/json")


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return _json_error(ErrorCode.NOT_FOUND, "No endpoint answers at this path.", 404)
    return page_not_found(request, exception)


def internal_error(request):
    if request.path.startswith("/api/"):
        return _json_error(ErrorCode.INTERNAL_ERROR, "Something went wrong on our side.", 500)
    return server_error(request)


def metrics(request):
    """Prometheus exposition; behind a bearer token when METRICS_TOKEN is set."""
    from django_prometheus.exports import ExportToDjangoView

    token = settings.METRICS_TOKEN
    presented = request.headers.get("Authorization", "")
    if token and not hmac.compare_digest(presented.encode(), f"Bearer {token}".encode()):
        return HttpResponse(status=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    return ExportToDjangoView(request)
