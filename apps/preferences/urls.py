from django.urls import path

from . import views

urlpatterns = [
    path("settings", views.UserSettingsView.as_view(), name="settings"),
    path("settings/app", views.AppSettingsView.as_view(), name="settings-app"),
]
