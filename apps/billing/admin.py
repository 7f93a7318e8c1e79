"""Staff edit plans here; everything mirrored from Stripe is read-only (a change made here would
be overwritten by the next sync), with actions that ask Stripe again."""

from django import forms
from django.contrib import admin, messages

from apps.core.admin import ReadOnlyAdmin, ReadOnlyInlineMixin
from apps.core.errors import ApplicationError

from . import services
from .entitlements import Feature
from .models import (
    BillingNotice,
    Customer,
    Invoice,
    Payment,
    Plan,
    Refund,
    StripeEvent,
    Subscription,
    UsageRecord,
)


class PlanForm(forms.ModelForm):
    features = forms.MultipleChoiceField(
        choices=[(feature.value, feature.value) for feature in Feature],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Plan
        fields = [
            "code",
            "name",
            "description",
            "price_cents",
            "currency",
            "interval",
            "stripe_price_id",
            "trial_days",
            "seats",
            "clients",
            "ai_summaries_per_month",
            "storage_bytes",
            "audit_retention_days",
            "features",
            "is_public",
            "sort_order",
        ]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    form = PlanForm
    list_display = [
        "name",
        "code",
        "price_cents",
        "interval",
        "stripe_price_id",
        "seats",
        "clients",
        "ai_summaries_per_month",
        "audit_retention_days",
        "is_public",
    ]
    list_editable = ["is_public"]
    search_fields = ["code", "name", "stripe_price_id"]
    readonly_fields = ["created_at", "updated_at"]

    def has_delete_permission(self, request, obj=None):
        # Subscriptions point at plans; retire one by hiding it instead.
        return False


def _each(modeladmin, request, queryset, work, done: str):
    count = 0
    for obj in queryset:
        try:
            work(obj)
            count += 1
        except (ApplicationError, services.EventFailed) as error:
            modeladmin.message_user(request, f"{obj}: {error}", messages.ERROR)
    if count:
        modeladmin.message_user(request, f"{done}: {count}.", messages.SUCCESS)


def _reread_from_stripe(refresh, id_field: str):
    """An admin action that mirrors each selected row from Stripe again."""

    @admin.action(description="Re-read from Stripe")
    def reread(modeladmin, request, queryset):
        _each(modeladmin, request, queryset, lambda obj: refresh(getattr(obj, id_field)), "Re-read")

    return reread


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["workspace", "plan", "status", "current_period_end", "cancel_at_period_end"]
    list_filter = ["status", "plan", "cancel_at_period_end"]
    search_fields = ["workspace__name", "stripe_subscription_id", "stripe_customer_id"]
    list_select_related = ["workspace", "plan"]
    actions = [_reread_from_stripe(services.refresh_subscription, "stripe_subscription_id")]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "workspace", "status", "amount_due", "amount_paid", "issued_at"]
    list_filter = ["status"]
    search_fields = ["number", "stripe_invoice_id", "workspace__name"]
    list_select_related = ["workspace"]
    actions = [_reread_from_stripe(services.refresh_invoice, "stripe_invoice_id")]


class RefundInline(ReadOnlyInlineMixin, admin.TabularInline):
    model = Refund
    fields = ["amount", "reason", "status", "stripe_refund_id", "created_by", "created_at"]
    select_related = ("created_by",)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "stripe_payment_intent_id",
        "workspace",
        "purpose",
        "amount",
        "currency",
        "status",
        "amount_refunded",
        "created_at",
    ]
    list_filter = ["status", "purpose", "currency"]
    search_fields = ["stripe_payment_intent_id", "reference", "workspace__name", "payer__email"]
    list_select_related = ["workspace"]
    inlines = [RefundInline]
    actions = [
        _reread_from_stripe(services.refresh_payment, "stripe_payment_intent_id"),
        "refund_in_full",
    ]

    @admin.action(description="Refund what is left of each")
    def refund_in_full(self, request, queryset):
        _each(
            self,
            request,
            queryset,
            lambda p: services.refund_payment(payment=p, actor=request.user),
            "Refunded",
        )


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "type", "stripe_created_at", "received_at", "processed_at", "attempts"]
    list_filter = ["type", ("processed_at", admin.EmptyFieldListFilter)]
    search_fields = ["id", "type"]
    actions = ["replay"]

    @admin.action(description="Apply again (replay)")
    def replay(self, request, queryset):
        _each(self, request, queryset, lambda e: services.apply_event(e, force=True), "Replayed")


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ["stripe_customer_id", "workspace", "user", "created_at"]
    search_fields = ["stripe_customer_id", "workspace__name", "user__email"]
    list_select_related = ["workspace", "user"]


@admin.register(UsageRecord)
class UsageRecordAdmin(ReadOnlyAdmin):
    list_display = ["workspace", "quota", "amount", "reference", "created_at"]
    list_filter = ["quota"]
    search_fields = ["workspace__name", "reference"]
    list_select_related = ["workspace"]


@admin.register(BillingNotice)
class BillingNoticeAdmin(ReadOnlyAdmin):
    list_display = ["key", "workspace", "kind", "sent_at", "created_at"]
    list_filter = ["kind"]
    search_fields = ["key", "workspace__name"]
    list_select_related = ["workspace"]
