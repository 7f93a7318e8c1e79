"""The project's URLconf with the signed download route at the root, for as long as
config/urls.py does not include apps.files.download_urls itself."""

from django.urls import include, path

from config import urls as project

urlpatterns = [path("", include("apps.files.download_urls")), *project.urlpatterns]
handler404 = project.handler404
handler500 = project.handler500
