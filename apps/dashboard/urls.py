from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path(
        "dashboard/sessions/<uuid:session_id>/revoke",
        views.revoke_session,
        name="dashboard-revoke-session",
    ),
]
