from django.urls import path

from . import views

urlpatterns = [
    path("plans", views.PlanListView.as_view(), name="plans"),
    path("billing", views.BillingOverviewViewSet.as_view({"get": "overview"}), name="billing"),
    path(
        "subscriptions",
        views.SubscriptionViewSet.as_view({"get": "list", "post": "create"}),
        name="subscriptions",
    ),
    path(
        "subscriptions/checkout",
        views.SubscriptionViewSet.as_view({"post": "checkout"}),
        name="subscription-checkout",
    ),
    path(
        "subscriptions/portal",
        views.SubscriptionViewSet.as_view({"post": "portal"}),
        name="subscription-portal",
    ),
    path(
        "subscriptions/<uuid:pk>",
        views.SubscriptionViewSet.as_view({"get": "retrieve", "put": "update"}),
        name="subscription",
    ),
    path(
        "payments",
        views.PaymentViewSet.as_view({"get": "list", "post": "create"}),
        name="payments",
    ),
    path("payments/<uuid:pk>", views.PaymentViewSet.as_view({"get": "retrieve"}), name="payment"),
    path(
        "payments/<uuid:pk>/refund",
        views.PaymentViewSet.as_view({"post": "refund"}),
        name="payment-refund",
    ),
    path("invoices", views.InvoiceViewSet.as_view({"get": "list"}), name="invoices"),
    path("invoices/<uuid:pk>", views.InvoiceViewSet.as_view({"get": "retrieve"}), name="invoice"),
    path(
        "invoices/<uuid:pk>/pdf", views.InvoiceViewSet.as_view({"get": "pdf"}), name="invoice-pdf"
    ),
    path("stripe/webhook", views.StripeWebhookView.as_view(), name="stripe-webhook"),
]
