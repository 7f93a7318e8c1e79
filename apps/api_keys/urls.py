from django.urls import path

from .views import ApiKeyViewSet

urlpatterns = [
    path("api-keys", ApiKeyViewSet.as_view({"get": "list", "post": "create"}), name="api-keys"),
    path(
        "api-keys/<uuid:pk>",
        ApiKeyViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="api-key",
    ),
    path(
        "api-keys/<uuid:pk>/rotate",
        ApiKeyViewSet.as_view({"post": "rotate"}),
        name="api-key-rotate",
    ),
]
