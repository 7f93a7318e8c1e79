"""Files on the client and project pages: the list, uploading, downloading and deleting.

Everything goes through `apps.files.services`, as the API does: the same checks by content,
the same storage quota, the same audit events. A download is a fresh short-lived link asked
for at the moment of the click (which is what the audit log records), never a link baked into
the page, which would be stale, or issued to everyone who merely looked at the list.
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST, require_safe

from apps.crm.models import Client, Project
from apps.files import services
from apps.files.models import FileAsset
from apps.files.validation import DOCUMENT_KINDS, IMAGE_KINDS
from apps.workspaces.roles import Perm

from ..workspace import require, workspace_page
from .common import Refusal, refusal_message

# The newest files a detail page lists; the API pages through all of them.
FILES_SHOWN = 50

_TYPE_LABELS = {kind.content_type: kind.label for kind in (*DOCUMENT_KINDS, *IMAGE_KINDS)}
_ACCEPT = ",".join(f".{ext}" for kind in DOCUMENT_KINDS for ext in kind.extensions)


def _parent_url(*, client_id=None, project_id=None) -> str:
    if project_id:
        return reverse("dashboard-project", args=[project_id]) + "#files"
    if client_id:
        return reverse("dashboard-client", args=[client_id]) + "#files"
    return reverse("dashboard")


def file_panel(*, client: Client | None = None, project: Project | None = None) -> dict:
    """The context of `dashboard/files/_panel.html` for a client's or a project's page."""
    parent = {"project": project} if project is not None else {"client": client}
    files = list(
        FileAsset.objects.filter(**parent)
        .select_related("uploaded_by")
        .order_by("-created_at", "-id")[: FILES_SHOWN + 1]
    )
    upload_url = (
        reverse("dashboard-project-file-upload", args=[project.pk])
        if project is not None
        else reverse("dashboard-client-file-upload", args=[client.pk])
    )
    kinds = [kind.label for kind in DOCUMENT_KINDS]
    return {
        "file_panel": {
            "rows": [
                {"file": file, "type": _TYPE_LABELS.get(file.content_type, file.content_type)}
                for file in files[:FILES_SHOWN]
            ],
            "more": len(files) > FILES_SHOWN,
            "shown": FILES_SHOWN,
            "upload_url": upload_url,
            "accept": _ACCEPT,
            "hint": f"{', '.join(kinds[:-1])} or {kinds[-1]}, "
            f"up to {filesizeformat(settings.FILE_MAX_BYTES)}.",
        }
    }


def _file(request, file_id) -> FileAsset:
    files = FileAsset.objects.filter(workspace=request.workspace).select_related("workspace")
    return get_object_or_404(files, pk=file_id)


def _upload(request, *, client=None, project=None):
    require(request, Perm.CRM_EDIT)
    back = _parent_url(client_id=client and client.pk, project_id=project and project.pk)
    upload = request.FILES.get("file")
    try:
        file = services.upload_file(
            actor=request.user,
            workspace=request.workspace,
            upload=upload,
            client=client,
            project=project,
        )
    except Refusal as error:
        what = f"{upload.name} was not" if upload is not None else "Nothing was"
        messages.error(request, f"{what} uploaded. {refusal_message(error)}")
    else:
        messages.success(request, f"Uploaded {file.original_name}.")
    return redirect(back)


@workspace_page(Perm.CRM_VIEW)
@require_POST
def client_file_upload(request, client_id):
    client = get_object_or_404(Client.objects.filter(workspace=request.workspace), pk=client_id)
    return _upload(request, client=client)


@workspace_page(Perm.CRM_VIEW)
@require_POST
def project_file_upload(request, project_id):
    project = get_object_or_404(Project.objects.filter(workspace=request.workspace), pk=project_id)
    return _upload(request, project=project)


@workspace_page(Perm.CRM_VIEW)
@require_safe
def file_download(request, file_id):
    link = services.issue_download(file=_file(request, file_id), actor=request.user)
    response = HttpResponseRedirect(request.build_absolute_uri(link.url))
    # The link is a credential for a few minutes: no cache keeps it, no next page is told it.
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "no-referrer"
    return response


@workspace_page(Perm.CRM_VIEW)
def file_delete(request, file_id):
    file = _file(request, file_id)
    require(request, Perm.CRM_EDIT)
    back = _parent_url(client_id=file.client_id, project_id=file.project_id)
    if request.method == "POST":
        services.delete_file(file=file, actor=request.user)
        messages.success(request, f"Deleted {file.original_name}.")
        return redirect(back)
    return render(
        request,
        "dashboard/confirm_delete.html",
        {
            "object": file,
            "kind": "file",
            "consequence": "Its download links stop working and its storage is given back to "
            "the plan.",
            "cancel_url": back,
        },
    )
