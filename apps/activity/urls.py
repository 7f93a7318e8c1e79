from django.urls import path

from .views import ActivityViewSet, AuditLogViewSet

TIMELINE = ActivityViewSet.as_view({"get": "list"})

urlpatterns = [
    path("activity", TIMELINE, name="activity"),
    path("clients/<uuid:client_pk>/activity", TIMELINE, name="client-activity"),
    path("projects/<uuid:project_pk>/activity", TIMELINE, name="project-activity"),
    path("audit-logs", AuditLogViewSet.as_view({"get": "list"}), name="audit-logs"),
]
