"""Input validation for the upload endpoints, and the shapes of `representations.py` for the
schema."""

from rest_framework import serializers


class FileUploadSerializer(serializers.Serializer):
    """`files/upload` needs one of `clientId` or `projectId`; `upload` takes either or none."""

    file = serializers.FileField(
        help_text="PDF, PNG, JPG, DOCX or TXT, up to 10 MB, recognised by its content."
    )
    client_id = serializers.UUIDField(required=False, allow_null=True)
    project_id = serializers.UUIDField(required=False, allow_null=True)


class FileParentSerializer(serializers.Serializer):
    """The non-file fields of an upload, validated (the file is checked by its content)."""

    client_id = serializers.UUIDField(required=False, allow_null=True)
    project_id = serializers.UUIDField(required=False, allow_null=True)

    def validate(self, data):
        if data.get("client_id") and data.get("project_id"):
            raise serializers.ValidationError(
                {"project_id": "Attach the file to a client or to a project, not both."}
            )
        return data


class FileRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class FileSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField(
        help_text="The sanitized name, ending in the sniffed type's extension."
    )
    content_type = serializers.CharField(help_text="Sniffed from the content.")
    size = serializers.IntegerField(help_text="Bytes.")
    sha256 = serializers.CharField()
    client_id = serializers.UUIDField(allow_null=True)
    project_id = serializers.UUIDField(allow_null=True)
    uploaded_by = FileRefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class DownloadLinkSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="Works until `expiresAt`; answers the file as a download.")
    expires_at = serializers.DateTimeField()
