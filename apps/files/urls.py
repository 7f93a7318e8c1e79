from django.urls import path

from .views import FileViewSet

LIST = {"get": "list"}

urlpatterns = [
    path("files/upload", FileViewSet.as_view({"post": "upload"}), name="files-upload"),
    path(
        "files/<uuid:pk>",
        FileViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="file",
    ),
    path(
        "files/<uuid:pk>/download",
        FileViewSet.as_view({"get": "download"}),
        name="file-download",
    ),
    path("clients/<uuid:client_pk>/files", FileViewSet.as_view(LIST), name="client-files"),
    path("projects/<uuid:project_pk>/files", FileViewSet.as_view(LIST), name="project-files"),
    # Maycole's upload: the same checks; a client, a project, or neither.
    path("upload", FileViewSet.as_view({"post": "upload_any"}), name="upload"),
]
