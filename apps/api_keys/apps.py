from django.apps import AppConfig


class ApiKeysConfig(AppConfig):
    name = "apps.api_keys"
    label = "api_keys"
    verbose_name = "API keys"

    def ready(self):
        from . import schema  # noqa: F401 - registers the OpenAPI auth scheme
