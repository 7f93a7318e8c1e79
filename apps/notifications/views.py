"""The signed-in user's own notifications and preferences: not workspace data, so no
`X-Workspace-ID`, and another user's notification is a 404."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView, get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.envelope import success
from apps.core.errors import ApplicationError
from apps.core.pagination import PagePagination, paginated_rows
from apps.core.validation import validated, validated_query

from . import selectors, services
from .models import Notification
from .representations import (
    NOTIFICATION_COLUMNS,
    notification_data,
    notification_row,
    preferences_data,
)
from .serializers import (
    NotificationCreateSerializer,
    NotificationFilterSerializer,
    NotificationSerializer,
    PreferencesSerializer,
    PreferencesUpdateSerializer,
    ReadAllResultSerializer,
    ReadAllSerializer,
)

TAGS = ["notifications"]
PREFERENCES_FLAG = OpenApiParameter(
    "preferences",
    OpenApiTypes.BOOL,
    required=True,
    description="Must be true: this is Maycole's form of PATCH notifications/preferences.",
)


class NotificationPagination(PagePagination):
    """Numbered pages whose `meta` also carries `unreadCount` (all unread, not this page's)."""

    unread_count = 0

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["meta"]["unread_count"] = self.unread_count
        return response

    def get_paginated_response_schema(self, schema):
        page = super().get_paginated_response_schema(schema)
        meta = page["properties"]["meta"]
        meta["properties"]["unreadCount"] = {"type": "integer"}
        meta["required"] = [*meta["required"], "unreadCount"]
        return page


def _update_preferences(request) -> Response:
    changes = validated(PreferencesUpdateSerializer, request.data)
    preferences = services.update_preferences(user=request.user, **changes)
    return Response(preferences_data(preferences))


class NotificationListView(GenericAPIView):
    pagination_class = NotificationPagination

    @extend_schema(
        tags=TAGS,
        parameters=[NotificationFilterSerializer],
        responses=NotificationSerializer(many=True),
        summary="Your notifications",
        description="Newest first, paged; `meta.unreadCount` counts every unread one. "
        "`?unread=true` lists unread ones only, `?kind=invite,mention` filters by kind. "
        "With `?preferences=true` (Maycole's form) answers your preferences instead, as "
        "`GET notifications/preferences` does.",
    )
    def get(self, request):
        filters = validated_query(NotificationFilterSerializer, request)
        if filters.pop("preferences", False):
            return Response(preferences_data(selectors.preferences_for(request.user)))
        notifications = selectors.filter_notifications(
            Notification.objects.visible_to(request.user), **filters
        )
        self.paginator.unread_count = selectors.unread_count(request.user)
        return paginated_rows(self, notifications, NOTIFICATION_COLUMNS, notification_row)

    @extend_schema(
        tags=TAGS,
        request=NotificationCreateSerializer,
        responses={201: NotificationSerializer},
        summary="Create a notification",
        description="For yourself; staff may name anyone with `userId` (403 for others). "
        "Stored whatever the preferences say, and in the app only: no email.",
    )
    def post(self, request):
        data = validated(NotificationCreateSerializer, request.data)
        notification = services.create_notification(actor=request.user, **data)
        return Response(notification_data(notification), status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        parameters=[PREFERENCES_FLAG],
        request=PreferencesUpdateSerializer,
        responses=PreferencesSerializer,
        summary="Change your preferences (Maycole's form)",
        description="`PUT notifications?preferences=true` is `PATCH notifications/preferences`: "
        "the same body and answer. Without the flag: 400.",
    )
    def put(self, request):
        flag = validated_query(NotificationFilterSerializer, request).get("preferences")
        if not flag:
            message = "PUT notifications changes your preferences: add ?preferences=true."
            raise ApplicationError(message, details=[{"field": "preferences", "message": message}])
        return _update_preferences(request)


def _own_notification(request, pk) -> Notification:
    return get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)


class NotificationDetailView(APIView):
    @extend_schema(tags=TAGS, responses={204: None}, summary="Delete a notification")
    def delete(self, request, pk):
        services.delete_notification(notification=_own_notification(request, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotificationReadView(APIView):
    @extend_schema(
        tags=TAGS,
        request=None,
        responses=NotificationSerializer,
        summary="Mark a notification read",
        description="Idempotent: one read before keeps its `readAt`.",
    )
    def put(self, request, pk):
        notification = services.mark_read(notification=_own_notification(request, pk))
        return Response(notification_data(notification))


class NotificationReadAllView(APIView):
    @extend_schema(
        tags=TAGS,
        request=ReadAllSerializer,
        responses=ReadAllResultSerializer,
        summary="Mark all your notifications read",
        description="The body is optional: `before` keeps anything newer than what you showed "
        "unread, `kind` limits it to one kind.",
    )
    def put(self, request):
        data = validated(ReadAllSerializer, request.data)
        updated = services.mark_all_read(user=request.user, **data)
        result = {"updated": updated, "unread_count": selectors.unread_count(request.user)}
        return Response(success(result, message=f"Marked {updated} read."))


class NotificationPreferencesView(APIView):
    @extend_schema(
        tags=TAGS,
        responses=PreferencesSerializer,
        summary="Your notification preferences",
        description="Every kind with each channel (`inApp`, `email`) on or off, your choice or "
        "the default, and the deadline reminder window in days.",
    )
    def get(self, request):
        return Response(preferences_data(selectors.preferences_for(request.user)))

    @extend_schema(
        tags=TAGS,
        request=PreferencesUpdateSerializer,
        responses=PreferencesSerializer,
        summary="Change your notification preferences",
        description="Any subset: `{kinds: {deadlineReminder: {email: false}}, "
        "reminderWindowDays: 3}`; null returns a channel or the window to its default. Every "
        "value is validated before any is written; an unknown kind, channel or key, a "
        "non-boolean, or a window outside 1..14 is a 400 naming the field. Answers the full set.",
    )
    def patch(self, request):
        return _update_preferences(request)
