from django.urls import path

from .views import SearchViewSet

urlpatterns = [
    path("search", SearchViewSet.as_view({"get": "list"}), name="search"),
    path("search/clients", SearchViewSet.as_view({"get": "clients"}), name="search-clients"),
    path("search/projects", SearchViewSet.as_view({"get": "projects"}), name="search-projects"),
]
