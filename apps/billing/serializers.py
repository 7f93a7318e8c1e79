"""Billing input validation and output shapes. Amounts are integers in the currency's smallest
unit (cents), as Stripe counts them."""

from rest_framework import serializers

from apps.core.fields import StrictCharField

from .models import Invoice, Payment, Plan, Refund, Subscription
from .services import REFUND_REASONS

CURRENCIES = ("usd", "eur", "gbp", "cad", "aud")
# Stripe's minimum charge is about 50 cents; its maximum is 8 digits.
MIN_AMOUNT, MAX_AMOUNT = 50, 99_999_999


# --- Input ------------------------------------------------------------------------------------


class PlanChoiceSerializer(serializers.Serializer):
    plan = serializers.SlugField(max_length=32)


class SubscriptionChangeSerializer(serializers.Serializer):
    plan = serializers.SlugField(max_length=32, required=False)
    cancel_at_period_end = serializers.BooleanField(required=False)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(
                "Send `plan` to change plan, or `cancelAtPeriodEnd` to cancel or resume."
            )
        return attrs


class PaymentInputSerializer(serializers.Serializer):
    amount = serializers.IntegerField(min_value=MIN_AMOUNT, max_value=MAX_AMOUNT)
    currency = serializers.ChoiceField(choices=CURRENCIES, default="usd")
    description = StrictCharField(max_length=255, required=False, allow_blank=True, default="")


class RefundInputSerializer(serializers.Serializer):
    amount = serializers.IntegerField(min_value=1, max_value=MAX_AMOUNT, required=False)
    reason = serializers.ChoiceField(choices=REFUND_REASONS, required=False)


# --- Output -----------------------------------------------------------------------------------


class PlanSerializer(serializers.ModelSerializer):
    purchasable = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "code",
            "name",
            "description",
            "price_cents",
            "currency",
            "interval",
            "trial_days",
            "seats",
            "clients",
            "ai_summaries_per_month",
            "storage_bytes",
            "audit_retention_days",
            "features",
            "purchasable",
        ]

    def get_purchasable(self, plan) -> bool:
        return bool(plan.stripe_price_id)


class SubscriptionSerializer(serializers.ModelSerializer):
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Subscription
        fields = [
            "id",
            "plan",
            "status",
            "current_period_start",
            "current_period_end",
            "cancel_at_period_end",
            "canceled_at",
            "ended_at",
            "trial_end",
            "created_at",
            "synced_at",
        ]


class SubscriptionCreatedSerializer(SubscriptionSerializer):
    client_secret = serializers.CharField(allow_null=True, read_only=True)

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "client_secret"]


class UsageSerializer(serializers.Serializer):
    quota = serializers.CharField()
    used = serializers.IntegerField()
    limit = serializers.IntegerField(allow_null=True)
    remaining = serializers.IntegerField(allow_null=True)
    resets_at = serializers.DateTimeField(allow_null=True)


class BillingOverviewSerializer(serializers.Serializer):
    plan = PlanSerializer()
    subscription = SubscriptionSerializer(allow_null=True)
    usage = UsageSerializer(many=True)
    payments_enabled = serializers.BooleanField()


class LinkSerializer(serializers.Serializer):
    url = serializers.URLField()


class CheckoutSerializer(LinkSerializer):
    id = serializers.CharField()
    plan = serializers.CharField()


class InvoiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "status",
            "currency",
            "amount_due",
            "amount_paid",
            "attempt_count",
            "hosted_invoice_url",
            "period_start",
            "period_end",
            "issued_at",
            "paid_at",
            "subscription",
        ]


class RefundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Refund
        fields = ["id", "amount", "reason", "status", "created_at"]


class PaymentSerializer(serializers.ModelSerializer):
    refunds = RefundSerializer(many=True, read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "amount",
            "currency",
            "description",
            "status",
            "amount_refunded",
            "failure_code",
            "failure_message",
            "paid_at",
            "created_at",
            "refunds",
        ]


class PaymentCreatedSerializer(PaymentSerializer):
    client_secret = serializers.CharField(read_only=True)

    class Meta(PaymentSerializer.Meta):
        fields = [*PaymentSerializer.Meta.fields, "client_secret"]


class WebhookReceiptSerializer(serializers.Serializer):
    received = serializers.BooleanField()
    applied = serializers.BooleanField()
