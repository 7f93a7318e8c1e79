"""The signed download links, outside /api/v1: the link is the credential, so neither the
API's authentication nor its envelope applies. Included at the root of config/urls.py."""

from django.urls import path

from .views import signed_download

urlpatterns = [
    path("files/d/<str:token>", signed_download, name="file-signed-download"),
]
