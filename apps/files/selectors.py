"""Reads about files that are more than one line."""

from apps.core.errors import ApplicationError
from apps.crm.models import Client, Project


def _missing(field: str, what: str) -> ApplicationError:
    message = f"No {what} with this id in this workspace."
    return ApplicationError(message, details=[{"field": field, "message": message}])


def upload_parent(*, workspace, client_id=None, project_id=None):
    """The client or project an upload names, looked up inside the workspace only: an id from
    another workspace is as unknown as a made-up one. Answers (client, project)."""
    client = project = None
    if client_id is not None:
        client = Client.objects.filter(workspace=workspace, pk=client_id).first()
        if client is None:
            raise _missing("clientId", "client")
    if project_id is not None:
        project = Project.objects.filter(workspace=workspace, pk=project_id).first()
        if project is None:
            raise _missing("projectId", "project")
    return client, project
