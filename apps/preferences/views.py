from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.validation import validated

from . import selectors, services
from .serializers import (
    PublicAppSettingsSerializer,
    UserSettingsSerializer,
    UserSettingsUpdateSerializer,
)

SETTINGS_TAG = ["settings"]


class UserSettingsView(APIView):
    """The signed-in user's own preferences; not workspace data."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=SETTINGS_TAG,
        responses=UserSettingsSerializer,
        summary="Your settings",
        description="Every declared setting with your value, or its default.",
    )
    def get(self, request):
        return Response(selectors.preferences_for(request.user))

    @extend_schema(
        tags=SETTINGS_TAG,
        request=UserSettingsUpdateSerializer,
        responses=UserSettingsSerializer,
        summary="Change your settings",
        description="Send any subset of the keys; `null` resets a key to its default. Every "
        "key is validated before any is written; an unknown key, a wrong type or a value out "
        "of range is a 400 VALIDATION_ERROR naming the field. Answers the full set.",
    )
    def put(self, request):
        changes = validated(UserSettingsUpdateSerializer, request.data)
        return Response(services.update_preferences(user=request.user, changes=changes))


class AppSettingsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=SETTINGS_TAG,
        responses=PublicAppSettingsSerializer,
        summary="Application settings users may read",
        description="Read-only; staff change them in the admin.",
    )
    def get(self, request):
        return Response(selectors.public_app_settings())
