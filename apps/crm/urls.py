from django.urls import path

from .views import ClientViewSet, MilestoneViewSet, NoteViewSet, ProjectViewSet, TimeEntryViewSet

LIST = {"get": "list", "post": "create"}
DETAIL = {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}

urlpatterns = [
    path("clients", ClientViewSet.as_view(LIST), name="clients"),
    path("clients/<uuid:pk>", ClientViewSet.as_view(DETAIL), name="client"),
    path(
        "clients/<uuid:pk>/archive",
        ClientViewSet.as_view({"patch": "archive", "post": "archive"}),
        name="client-archive",
    ),
    path(
        "clients/<uuid:pk>/unarchive",
        ClientViewSet.as_view({"patch": "unarchive", "post": "unarchive"}),
        name="client-unarchive",
    ),
    path(
        "clients/<uuid:pk>/time-summary",
        ClientViewSet.as_view({"get": "time_summary"}),
        name="client-time-summary",
    ),
    path("clients/<uuid:client_pk>/projects", ProjectViewSet.as_view(LIST), name="client-projects"),
    path("clients/<uuid:client_pk>/notes", NoteViewSet.as_view(LIST), name="client-notes"),
    path("projects", ProjectViewSet.as_view({"get": "list"}), name="projects"),
    path("projects/<uuid:pk>", ProjectViewSet.as_view(DETAIL), name="project"),
    path(
        "projects/<uuid:pk>/time-summary",
        ProjectViewSet.as_view({"get": "time_summary"}),
        name="project-time-summary",
    ),
    path(
        "projects/<uuid:project_pk>/milestones",
        MilestoneViewSet.as_view(LIST),
        name="project-milestones",
    ),
    path(
        "projects/<uuid:project_pk>/milestones/<uuid:pk>",
        MilestoneViewSet.as_view(DETAIL),
        name="project-milestone",
    ),
    path("projects/<uuid:project_pk>/notes", NoteViewSet.as_view(LIST), name="project-notes"),
    path("notes/<uuid:pk>", NoteViewSet.as_view(DETAIL), name="note"),
    path(
        "notes/<uuid:pk>/versions", NoteViewSet.as_view({"get": "versions"}), name="note-versions"
    ),
    path("time-entries", TimeEntryViewSet.as_view(LIST), name="time-entries"),
    path(
        "time-entries/current", TimeEntryViewSet.as_view({"get": "current"}), name="timer-current"
    ),
    path("time-entries/start", TimeEntryViewSet.as_view({"post": "start"}), name="timer-start"),
    path("time-entries/<uuid:pk>", TimeEntryViewSet.as_view(DETAIL), name="time-entry"),
    path(
        "time-entries/<uuid:pk>/stop",
        TimeEntryViewSet.as_view({"post": "stop"}),
        name="time-entry-stop",
    ),
]
