from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "apps.files"
    label = "files"
    verbose_name = "Files"

    def ready(self):
        from . import signals, storage  # noqa: F401 - connects the receivers
