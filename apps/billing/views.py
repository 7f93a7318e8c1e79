from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.errors import ApplicationError
from apps.core.validation import validated
from apps.workspaces.roles import Perm
from apps.workspaces.tenancy import WorkspaceViewSet

from . import entitlements, services, stripe_gateway
from .models import Invoice, Payment, Plan, Subscription
from .serializers import (
    BillingOverviewSerializer,
    CheckoutSerializer,
    InvoiceSerializer,
    LinkSerializer,
    PaymentCreatedSerializer,
    PaymentInputSerializer,
    PaymentSerializer,
    PlanChoiceSerializer,
    PlanSerializer,
    RefundInputSerializer,
    RefundSerializer,
    SubscriptionChangeSerializer,
    SubscriptionCreatedSerializer,
    SubscriptionSerializer,
    WebhookReceiptSerializer,
)

TAGS = ["billing"]


class PlanListView(APIView):
    @extend_schema(tags=TAGS, responses=PlanSerializer(many=True), summary="Plans on offer")
    def get(self, request):
        plans = Plan.objects.filter(is_public=True)
        return Response(PlanSerializer(plans, many=True).data)


class BillingOverviewViewSet(WorkspaceViewSet):
    queryset = Subscription.objects.none()
    perms = {"overview": Perm.BILLING_VIEW}
    api_resource = "billing"

    @extend_schema(tags=TAGS, responses=BillingOverviewSerializer, summary="Plan and usage")
    def overview(self, request):
        plan, usage = entitlements.usage_summary(workspace_id=request.workspace.pk)
        data = {
            "plan": PlanSerializer(plan).data,
            "subscription": None,
            "usage": [
                {
                    "quota": item.quota.value,
                    "used": item.used,
                    "limit": item.limit,
                    "remaining": item.remaining,
                    "resets_at": item.resets_at,
                }
                for item in usage
            ],
            "payments_enabled": stripe_gateway.is_configured(),
        }
        if subscription := services.live_subscription(request.workspace.pk):
            data["subscription"] = SubscriptionSerializer(subscription).data
        return Response(data)


class SubscriptionViewSet(WorkspaceViewSet):
    queryset = Subscription.objects.select_related("plan")
    serializer_class = SubscriptionSerializer
    api_resource = "billing"
    perms = {
        "list": Perm.BILLING_VIEW,
        "retrieve": Perm.BILLING_VIEW,
        "create": Perm.BILLING_MANAGE,
        "update": Perm.BILLING_MANAGE,
        "checkout": Perm.BILLING_MANAGE,
        "portal": Perm.BILLING_MANAGE,
    }

    @extend_schema(tags=TAGS, responses=SubscriptionSerializer(many=True))
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(SubscriptionSerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        request=PlanChoiceSerializer,
        responses={201: SubscriptionCreatedSerializer},
        summary="Subscribe through the API (confirm payment with the client secret)",
    )
    def create(self, request):
        data = validated(PlanChoiceSerializer, request.data)
        subscription, secret = services.create_subscription(
            workspace=request.workspace, actor=request.user, plan_code=data["plan"]
        )
        body = {**SubscriptionSerializer(subscription).data, "client_secret": secret}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(tags=TAGS, responses=SubscriptionSerializer)
    def retrieve(self, request, pk=None):
        return Response(SubscriptionSerializer(self.get_object()).data)

    @extend_schema(
        tags=TAGS,
        request=SubscriptionChangeSerializer,
        responses=SubscriptionSerializer,
        summary="Change plan, cancel at period end, or resume",
    )
    def update(self, request, pk=None):
        data = validated(SubscriptionChangeSerializer, request.data)
        subscription = services.change_subscription(
            subscription=self.get_object(),
            actor=request.user,
            plan_code=data.get("plan"),
            cancel_at_period_end=data.get("cancel_at_period_end"),
        )
        return Response(SubscriptionSerializer(subscription).data)

    @extend_schema(
        tags=TAGS,
        request=PlanChoiceSerializer,
        responses={201: CheckoutSerializer},
        summary="A Stripe Checkout session to subscribe",
    )
    def checkout(self, request):
        data = validated(PlanChoiceSerializer, request.data)
        session = services.start_checkout(
            workspace=request.workspace, actor=request.user, plan_code=data["plan"]
        )
        return Response(session, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS, request=None, responses=LinkSerializer, summary="Stripe customer portal link"
    )
    def portal(self, request):
        return Response(services.open_portal(workspace=request.workspace))


class PaymentViewSet(WorkspaceViewSet):
    queryset = Payment.objects.prefetch_related("refunds")
    api_resource = "billing"
    perms = {
        "list": Perm.BILLING_MANAGE,
        "retrieve": Perm.BILLING_MANAGE,
        "create": Perm.BILLING_MANAGE,
        "refund": Perm.BILLING_MANAGE,
    }

    @extend_schema(tags=TAGS, responses=PaymentSerializer(many=True))
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(PaymentSerializer(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        request=PaymentInputSerializer,
        responses={201: PaymentCreatedSerializer},
        summary="Open a payment (a Stripe PaymentIntent)",
    )
    def create(self, request):
        data = validated(PaymentInputSerializer, request.data)
        payment, secret = services.create_payment(
            payer=request.user,
            workspace=request.workspace,
            purpose=services.WORKSPACE_CHARGE,
            **data,
        )
        body = {**PaymentSerializer(payment).data, "client_secret": secret}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(tags=TAGS, responses=PaymentSerializer)
    def retrieve(self, request, pk=None):
        return Response(PaymentSerializer(self.get_object()).data)

    @extend_schema(
        tags=TAGS,
        request=RefundInputSerializer,
        responses={201: RefundSerializer},
        summary="Refund all (no amount) or part of a payment",
    )
    def refund(self, request, pk=None):
        data = validated(RefundInputSerializer, request.data)
        refund = services.refund_payment(payment=self.get_object(), actor=request.user, **data)
        return Response(RefundSerializer(refund).data, status=status.HTTP_201_CREATED)


class InvoiceViewSet(WorkspaceViewSet):
    queryset = Invoice.objects.all()
    api_resource = "billing"
    perms = {
        "list": Perm.BILLING_MANAGE,
        "retrieve": Perm.BILLING_MANAGE,
        "pdf": Perm.BILLING_MANAGE,
    }

    @extend_schema(tags=TAGS, responses=InvoiceSerializer(many=True))
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(InvoiceSerializer(page, many=True).data)

    @extend_schema(tags=TAGS, responses=InvoiceSerializer)
    def retrieve(self, request, pk=None):
        return Response(InvoiceSerializer(self.get_object()).data)

    @extend_schema(tags=TAGS, responses=LinkSerializer, summary="Stripe's link to the PDF")
    def pdf(self, request, pk=None):
        return Response({"url": services.invoice_pdf_url(invoice=self.get_object())})


class StripeWebhookView(APIView):
    """Stripe calls this; the signature is the authentication."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(
        tags=TAGS,
        request=None,
        responses=WebhookReceiptSerializer,
        parameters=[
            OpenApiParameter("Stripe-Signature", location=OpenApiParameter.HEADER, required=True)
        ],
        summary="Stripe webhook events",
    )
    def post(self, request):
        try:
            _, applied = services.receive_event(
                payload=request.body, signature=request.headers.get("Stripe-Signature", "")
            )
        except services.EventFailed:
            raise ApplicationError(
                "The event was stored but could not be applied; Stripe will retry it.",
                code="WEBHOOK_FAILED",
                status_code=500,
            ) from None
        return Response({"received": True, "applied": applied})
