from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from apps.core.pagination import paginated_rows
from apps.core.validation import validated
from apps.workspaces.roles import Perm
from apps.workspaces.tenancy import WorkspaceViewSet

from .. import services
from ..models import Client, Note, NoteVersion, Project
from ..representations import (
    NOTE_COLUMNS,
    NOTE_VERSION_COLUMNS,
    from_instance,
    note_row,
    note_version_row,
)
from ..serializers import NoteInputSerializer, NoteSerializer, NoteVersionSerializer

TAGS = ["notes"]


def note_data(note: Note) -> dict:
    return note_row(from_instance(note, NOTE_COLUMNS))


class NoteViewSet(WorkspaceViewSet):
    """Notes of a client or a project (`clients/:id/notes`, `projects/:id/notes`), and one note
    with its earlier versions (`notes/:id`)."""

    queryset = Note.objects.select_related("author", "project")
    api_resource = "notes"
    parents = {"client_pk": (Client, "client"), "project_pk": (Project, "project")}
    perms = {
        "list": Perm.CRM_VIEW,
        "retrieve": Perm.CRM_VIEW,
        "versions": Perm.CRM_VIEW,
        "create": Perm.CRM_EDIT,
        "partial_update": Perm.CRM_EDIT,
        "destroy": Perm.CRM_EDIT,
    }

    @extend_schema(tags=TAGS, responses=NoteSerializer(many=True))
    def list(self, request, client_pk=None, project_pk=None):
        notes = self.get_queryset().order_by("-created_at", "-id")
        return paginated_rows(self, notes, NOTE_COLUMNS, note_row)

    @extend_schema(tags=TAGS, request=NoteInputSerializer, responses={201: NoteSerializer})
    def create(self, request, client_pk=None, project_pk=None):
        data = validated(NoteInputSerializer, request.data)
        note = services.create_note(
            actor=request.user,
            title=data.get("title", ""),
            body=data["body"],
            client=self.parent_objects.get("client_pk"),
            project=self.parent_objects.get("project_pk"),
        )
        return Response(note_data(note), status=status.HTTP_201_CREATED)

    @extend_schema(tags=TAGS, responses=NoteSerializer)
    def retrieve(self, request, pk=None):
        return Response(note_data(self.get_object()))

    @extend_schema(tags=TAGS, request=NoteInputSerializer, responses=NoteSerializer)
    def partial_update(self, request, pk=None):
        data = validated(NoteInputSerializer, request.data, partial=True)
        note = services.update_note(
            note=self.get_object(),
            actor=request.user,
            title=data.get("title"),
            body=data.get("body"),
            expected_version=data.get("version"),
        )
        return Response(note_data(note))

    @extend_schema(tags=TAGS, responses={204: None})
    def destroy(self, request, pk=None):
        services.delete_note(note=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(tags=TAGS, responses=NoteVersionSerializer(many=True))
    def versions(self, request, pk=None):
        versions = NoteVersion.objects.filter(note=self.get_object()).order_by("-version")
        return paginated_rows(self, versions, NOTE_VERSION_COLUMNS, note_version_row)
