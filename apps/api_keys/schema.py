from drf_spectacular.extensions import OpenApiAuthenticationExtension

from .authentication import KEYWORD, view_accepts_api_keys


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "apps.api_keys.authentication.ApiKeyAuthentication"
    name = "apiKeyAuth"

    def get_security_requirement(self, auto_schema):
        # Listed only where a key is accepted; everywhere else it answers 403.
        if not view_accepts_api_keys(type(auto_schema.view)):
            return None
        return {self.name: []}

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": f"`{KEYWORD} pk_<prefix>_<secret>`, from `POST api-keys`. Acts in the "
            "key's workspace, within its scopes (`<resource>:read` for GET, `<resource>:write` "
            "for the rest) and its creator's role; rate-limited per key.",
        }
