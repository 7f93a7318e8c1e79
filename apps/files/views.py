from django.core import signing
from django.http import FileResponse, HttpResponseRedirect, JsonResponse
from django.views.decorators.http import require_safe
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response

from apps.core.envelope import failure
from apps.core.errors import ApplicationError, ErrorCode
from apps.core.pagination import paginated_rows
from apps.core.schema import ERROR_REF
from apps.core.validation import validated
from apps.crm.models import Client, Project
from apps.workspaces.roles import Perm
from apps.workspaces.tenancy import WorkspaceViewSet

from . import selectors, services, storage
from .models import FileAsset
from .parsers import UploadParser
from .representations import FILE_COLUMNS, file_data, file_row
from .serializers import (
    DownloadLinkSerializer,
    FileParentSerializer,
    FileSerializer,
    FileUploadSerializer,
)

TAGS = ["files"]
UPLOAD_REQUEST = {"multipart/form-data": FileUploadSerializer}
UPLOAD_RESPONSES = {
    201: FileSerializer,
    400: OpenApiResponse(
        ERROR_REF,
        description="VALIDATION_ERROR, EMPTY_FILE, INVALID_FILE_TYPE, INVALID_FILE_NAME or "
        "UNSAFE_FILE_CONTENT (see the README's Files section).",
    ),
    402: OpenApiResponse(ERROR_REF, description="PLAN_LIMIT_REACHED: the plan's storage is full."),
    403: OpenApiResponse(ERROR_REF, description="FORBIDDEN: your role may not upload."),
    413: OpenApiResponse(ERROR_REF, description="FILE_TOO_LARGE: over FILE_MAX_BYTES (10 MB)."),
    415: OpenApiResponse(
        ERROR_REF, description="UNSUPPORTED_MEDIA_TYPE: send multipart/form-data."
    ),
}
REDIRECT_PARAMETER = OpenApiParameter(
    "redirect",
    OpenApiTypes.BOOL,
    description="`1` answers 302 to the link instead of `{url, expiresAt}`.",
)


class FileViewSet(WorkspaceViewSet):
    """Files of a workspace: on a client (`clients/:id/files`), on a project
    (`projects/:id/files`), or on neither (uploaded through `upload` without a parent)."""

    queryset = FileAsset.objects.select_related("uploaded_by", "project")
    api_resource = "files"
    parents = {"client_pk": (Client, "client"), "project_pk": (Project, "project")}
    parser_classes = [UploadParser]
    perms = {
        "list": Perm.CRM_VIEW,
        "retrieve": Perm.CRM_VIEW,
        "download": Perm.CRM_VIEW,
        "upload": Perm.CRM_EDIT,
        "upload_any": Perm.CRM_EDIT,
        "destroy": Perm.CRM_EDIT,
    }

    @extend_schema(tags=TAGS, responses=FileSerializer(many=True))
    def list(self, request, client_pk=None, project_pk=None):
        files = self.get_queryset().order_by("-created_at", "-id")
        return paginated_rows(self, files, FILE_COLUMNS, file_row)

    @extend_schema(
        tags=TAGS,
        request=UPLOAD_REQUEST,
        responses=UPLOAD_RESPONSES,
        description="Upload a file onto a client or a project (send `clientId` or `projectId`).",
    )
    def upload(self, request):
        return self._upload(request, parent_required=True)

    @extend_schema(
        tags=TAGS,
        request=UPLOAD_REQUEST,
        responses=UPLOAD_RESPONSES,
        description="Upload a file onto a client, a project, or (with neither) the workspace.",
    )
    def upload_any(self, request):
        return self._upload(request, parent_required=False)

    def _upload(self, request, *, parent_required: bool):
        data = validated(FileParentSerializer, request.data)
        if parent_required and not (data.get("client_id") or data.get("project_id")):
            message = "Attach the file to a client or a project: send clientId or projectId."
            raise ApplicationError(message, details=[{"field": "clientId", "message": message}])
        client, project = selectors.upload_parent(
            workspace=request.workspace,
            client_id=data.get("client_id"),
            project_id=data.get("project_id"),
        )
        uploads = request.FILES.getlist("file")
        if len(uploads) > 1:
            message = "Send one file per request."
            raise ApplicationError(message, details=[{"field": "file", "message": message}])
        file = services.upload_file(
            actor=request.user,
            workspace=request.workspace,
            upload=uploads[0] if uploads else None,
            client=client,
            project=project,
        )
        return Response(file_data(file), status=status.HTTP_201_CREATED)

    @extend_schema(tags=TAGS, responses=FileSerializer)
    def retrieve(self, request, pk=None):
        return Response(file_data(self.get_object()))

    @extend_schema(tags=TAGS, responses={204: None})
    def destroy(self, request, pk=None):
        services.delete_file(file=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        tags=TAGS,
        parameters=[REDIRECT_PARAMETER],
        responses={
            200: DownloadLinkSerializer,
            302: OpenApiResponse(description="With `redirect=1`: to the link."),
        },
        description="A short-lived link to the file (S3 presigned, or signed by us when the "
        "files are on local disk). Each link issued is an audit event.",
    )
    def download(self, request, pk=None):
        link = services.issue_download(file=self.get_object(), actor=request.user)
        url = request.build_absolute_uri(link.url)
        if request.query_params.get("redirect") in ("1", "true"):
            return HttpResponseRedirect(url)
        return Response({"url": url, "expires_at": link.expires_at})


def _refusal(status_code: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(failure(code, message), status=status_code)


@require_safe
def signed_download(request, token: str):
    """Stream a file to whoever holds a link we signed in the last FILE_URL_TTL_SECONDS. The
    link is the credential, so this view asks for no session or token of its own."""
    try:
        file = services.file_for_token(token)
    except signing.SignatureExpired:
        return _refusal(403, "LINK_EXPIRED", "This download link has expired; ask for a new one.")
    except signing.BadSignature:
        return _refusal(403, "INVALID_LINK", "This download link is not valid.")
    if file is None:
        return _refusal(404, ErrorCode.NOT_FOUND, "This file no longer exists.")
    try:
        blob = storage.open_blob(file.storage_key)
    except FileNotFoundError:
        return _refusal(404, ErrorCode.NOT_FOUND, "This file no longer exists.")
    response = FileResponse(
        blob, as_attachment=True, filename=file.original_name, content_type=file.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
