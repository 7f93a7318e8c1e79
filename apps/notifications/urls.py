from django.urls import path

from . import views

urlpatterns = [
    path("notifications", views.NotificationListView.as_view(), name="notifications"),
    path(
        "notifications/read-all",
        views.NotificationReadAllView.as_view(),
        name="notifications-read-all",
    ),
    path(
        "notifications/preferences",
        views.NotificationPreferencesView.as_view(),
        name="notification-preferences",
    ),
    path("notifications/<uuid:pk>", views.NotificationDetailView.as_view(), name="notification"),
    path(
        "notifications/<uuid:pk>/read",
        views.NotificationReadView.as_view(),
        name="notification-read",
    ),
]
