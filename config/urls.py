from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.core import views as core_views

api_v1 = [
    path("", include("apps.core.urls")),
    path("", include("apps.accounts.urls")),
    path("", include("apps.workspaces.urls")),
    path("", include("apps.crm.urls")),
    path("", include("apps.activity.urls")),
    path("", include("apps.billing.urls")),
    path("", include("apps.api_keys.urls")),
    path("", include("apps.preferences.urls")),
    path("", include("apps.files.urls")),
    path("", include("apps.search.urls")),
    path("", include("apps.ai.urls")),
    path("", include("apps.notifications.urls")),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    # Last: any other API path answers the JSON envelope, with DEBUG on or off.
    re_path(r"^.*$", core_views.not_found, name="api-not-found"),
]

urlpatterns = [
    path("health", core_views.RootLivenessView.as_view(), name="liveness"),
    path("metrics", core_views.metrics, name="metrics"),
    path("api/v1/", include(api_v1)),
    path("api/docs", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("apps.files.download_urls")),
    path("", include("apps.dashboard.urls")),
]

handler404 = "apps.core.views.not_found"
handler500 = "apps.core.views.internal_error"
