from django.urls import path

from . import views

urlpatterns = [
    path("health", views.ReadinessView.as_view(), name="health"),
    path("health/ready", views.ReadinessView.as_view(), name="health-ready"),
    path("health/live", views.LivenessView.as_view(), name="health-live"),
    path("version", views.VersionView.as_view(), name="version"),
]
