"""OpenAPI: describe the envelope around every body and the error envelope on every failure."""

from drf_spectacular.openapi import AutoSchema
from rest_framework.permissions import AllowAny

ERROR_COMPONENT = "ErrorEnvelope"
ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
ERROR_SCHEMA = {
    "type": "object",
    "required": ["success", "error"],
    "properties": {
        "success": {"type": "boolean", "enum": [False]},
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "example": "VALIDATION_ERROR"},
                "message": {"type": "string"},
                "details": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "field": {"type": "string", "nullable": True},
                            "message": {"type": "string"},
                        },
                    },
                },
            },
        },
    },
}
_ERROR_DESCRIPTIONS = {
    "400": "Invalid input (VALIDATION_ERROR, MALFORMED_REQUEST, or a business rule's code).",
    "401": "Missing, expired, revoked or malformed credentials (UNAUTHORIZED).",
    "404": "Not found, or not visible to the caller (NOT_FOUND).",
    "413": "Body too large (PAYLOAD_TOO_LARGE).",
    "429": "Rate limit exceeded (RATE_LIMIT_EXCEEDED); see the Retry-After header.",
}


def wrap_in_envelope(schema: dict) -> dict:
    return {
        "type": "object",
        "required": ["success", "data"],
        "properties": {
            "success": {"type": "boolean", "enum": [True]},
            "data": schema,
            "message": {"type": "string"},
        },
    }


class EnvelopeAutoSchema(AutoSchema):
    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        # Views that act in a workspace say which header picks it (apps.workspaces.tenancy).
        header = getattr(self.view, "workspace_header_parameter", None)
        if header is not None:
            parameters.append(header)
        return parameters

    def _get_response_for_code(
        self, serializer, status_code, media_types=None, direction="response"
    ):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        if not str(status_code).startswith("2"):
            return response
        for content in response.get("content", {}).values():
            schema = content.get("schema", {})
            if _is_envelope(schema):
                continue
            content["schema"] = wrap_in_envelope(schema)
        return response

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        codes = ["429"]
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes += ["400", "413"]
        if not any(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            codes.append("401")
        if "{" in self.path:
            codes.append("404")
        for code in codes:
            responses.setdefault(
                code,
                {
                    "description": _ERROR_DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": ERROR_REF}},
                },
            )
        return responses


def _is_envelope(schema: dict) -> bool:
    ref = schema.get("$ref", "")
    return ref.startswith("#/components/schemas/Paginated") or "success" in schema.get(
        "properties", {}
    )


def envelope_postprocessing_hook(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    return result
