from django.urls import path

from . import views

urlpatterns = [
    path(
        "ai/summarize/project/<uuid:pk>",
        views.ProjectSummaryViewSet.as_view({"post": "summarize"}),
        name="ai-summarize-project",
    ),
    path(
        "ai/summarize/client/<uuid:pk>",
        views.ClientSummaryViewSet.as_view({"post": "summarize"}),
        name="ai-summarize-client",
    ),
    path("ai/jobs/<uuid:pk>", views.SummaryJobViewSet.as_view({"get": "retrieve"}), name="ai-job"),
    path("ai/summaries", views.SummaryViewSet.as_view({"get": "list"}), name="ai-summaries"),
    path("ai/usage", views.AiUsageViewSet.as_view({"get": "usage"}), name="ai-usage"),
]
