"""Plans and what a workspace may use; Stripe's customers, subscriptions, invoices and payments
mirrored locally; the raw webhook events; the usage ledger."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.core.models import BaseModel


class Plan(BaseModel):
    """A tier. Limits are per workspace; an empty limit means unlimited. Staff edit plans in the
    admin; `stripe_price_id` ties a paid plan to its Stripe price."""

    class Interval(models.TextChoices):
        MONTH = "month", "Monthly"
        YEAR = "year", "Yearly"

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=60)
    description = models.CharField(max_length=255, blank=True)
    price_cents = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="usd")
    interval = models.CharField(max_length=5, choices=Interval.choices, default=Interval.MONTH)
    stripe_price_id = models.CharField(max_length=100, blank=True)
    trial_days = models.PositiveSmallIntegerField(default=0)
    seats = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited.")
    clients = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited.")
    ai_summaries_per_month = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty: unlimited."
    )
    storage_bytes = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Empty: unlimited."
    )
    audit_retention_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Days the audit log keeps events. Empty: forever."
    )
    features = models.JSONField(default=list, blank=True)
    is_public = models.BooleanField(default=True, help_text="Offered on the pricing list.")
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "price_cents"]
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_price_id"],
                condition=~Q(stripe_price_id=""),
                name="billing_plan_unique_price",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_free(self) -> bool:
        return self.price_cents == 0 and not self.stripe_price_id


class Customer(BaseModel):
    """Who Stripe bills: a workspace (subscriptions, workspace payments) or a person (shop
    orders). Exactly one of the two."""

    workspace = models.OneToOneField(
        "workspaces.Workspace",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="billing_customer",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="billing_customer",
    )
    stripe_customer_id = models.CharField(max_length=100, unique=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(workspace__isnull=False, user__isnull=True)
                | Q(workspace__isnull=True, user__isnull=False),
                name="billing_customer_one_owner",
            ),
        ]

    def __str__(self):
        return self.stripe_customer_id


class Subscription(BaseModel):
    """A Stripe subscription as Stripe last said it was. Never edited by hand: every change
    goes to Stripe and comes back through `sync_subscription`."""

    class Status(models.TextChoices):
        INCOMPLETE = "incomplete", "Incomplete"
        INCOMPLETE_EXPIRED = "incomplete_expired", "Incomplete, expired"
        TRIALING = "trialing", "Trialing"
        ACTIVE = "active", "Active"
        PAST_DUE = "past_due", "Past due"
        CANCELED = "canceled", "Canceled"
        UNPAID = "unpaid", "Unpaid"
        PAUSED = "paused", "Paused"

    # A past-due workspace keeps its plan while Stripe retries the card.
    ENTITLED = (Status.TRIALING, Status.ACTIVE, Status.PAST_DUE)
    LIVE = (*ENTITLED, Status.INCOMPLETE, Status.UNPAID, Status.PAUSED)

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="subscriptions"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(max_length=20, choices=Status.choices)
    stripe_subscription_id = models.CharField(max_length=100, unique=True)
    stripe_customer_id = models.CharField(max_length=100)
    current_period_start = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    canceled_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    trial_end = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(help_text="When this row last matched Stripe.")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "status"], name="billing_sub_ws_status_idx")]

    def __str__(self):
        return f"{self.plan} ({self.status})"

    @property
    def is_entitled(self) -> bool:
        return self.status in self.ENTITLED


class Invoice(BaseModel):
    """A Stripe invoice, mirrored from webhooks and the nightly reconcile."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        PAID = "paid", "Paid"
        UNCOLLECTIBLE = "uncollectible", "Uncollectible"
        VOID = "void", "Void"

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="invoices"
    )
    subscription = models.ForeignKey(
        Subscription, on_delete=models.SET_NULL, null=True, blank=True, related_name="invoices"
    )
    stripe_invoice_id = models.CharField(max_length=100, unique=True)
    number = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=15, choices=Status.choices)
    currency = models.CharField(max_length=3)
    amount_due = models.PositiveIntegerField(default=0)
    amount_paid = models.PositiveIntegerField(default=0)
    attempt_count = models.PositiveSmallIntegerField(default=0)
    hosted_invoice_url = models.URLField(max_length=500, blank=True)
    invoice_pdf = models.URLField(max_length=500, blank=True)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField()

    class Meta:
        ordering = ["-issued_at"]
        indexes = [models.Index(fields=["workspace", "-issued_at"], name="billing_inv_ws_idx")]

    def __str__(self):
        return self.number or self.stripe_invoice_id


class Payment(BaseModel):
    """One Stripe PaymentIntent. `purpose` names who acts when it succeeds or fails (a
    workspace charge here; the shop's orders later), `reference` the thing paid for."""

    class Status(models.TextChoices):
        REQUIRES_PAYMENT_METHOD = "requires_payment_method", "Requires payment method"
        REQUIRES_CONFIRMATION = "requires_confirmation", "Requires confirmation"
        REQUIRES_ACTION = "requires_action", "Requires action"
        PROCESSING = "processing", "Processing"
        REQUIRES_CAPTURE = "requires_capture", "Requires capture"
        SUCCEEDED = "succeeded", "Succeeded"
        CANCELED = "canceled", "Canceled"

    workspace = models.ForeignKey(
        "workspaces.Workspace",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="payments",
    )
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="payments",
    )
    purpose = models.CharField(max_length=32)
    reference = models.CharField(max_length=64, blank=True)
    description = models.CharField(max_length=255, blank=True)
    amount = models.PositiveIntegerField(help_text="In the currency's smallest unit.")
    currency = models.CharField(max_length=3)
    amount_refunded = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=30, choices=Status.choices)
    failure_code = models.CharField(max_length=64, blank=True)
    failure_message = models.CharField(max_length=255, blank=True)
    stripe_payment_intent_id = models.CharField(max_length=100, unique=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="billing_pay_ws_idx"),
            models.Index(fields=["purpose", "reference"], name="billing_pay_purpose_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_refunded__lte=models.F("amount")),
                name="billing_payment_refund_within_amount",
            ),
        ]

    def __str__(self):
        return f"{self.amount / 100:.2f} {self.currency.upper()} ({self.status})"

    @property
    def refundable_amount(self) -> int:
        return self.amount - self.amount_refunded if self.status == self.Status.SUCCEEDED else 0


class Refund(BaseModel):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        REQUIRES_ACTION = "requires_action", "Requires action"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        CANCELED = "canceled", "Canceled"

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="refunds")
    amount = models.PositiveIntegerField()
    reason = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices)
    stripe_refund_id = models.CharField(max_length=100, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.amount / 100:.2f} of {self.payment}"


class StripeEvent(models.Model):
    """Every webhook event as received. The id makes each one apply once; the payload is kept
    so `replay_stripe_event` can apply it again."""

    id = models.CharField(max_length=100, primary_key=True)
    type = models.CharField(max_length=100, db_index=True)
    api_version = models.CharField(max_length=40, blank=True)
    payload = models.JSONField()
    stripe_created_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.type} {self.id}"


class UsageRecord(BaseModel):
    """The ledger of metered quotas (AI summaries, storage). A release is a negative amount."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="usage_records"
    )
    quota = models.CharField(max_length=32)
    amount = models.BigIntegerField()
    reference = models.CharField(max_length=100, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["workspace", "quota", "created_at"], name="billing_usage_idx"),
        ]

    def __str__(self):
        return f"{self.quota} {self.amount:+d}"


class BillingNotice(BaseModel):
    """An email owed to a workspace's owners about billing, claimed by a unique key so a
    replayed or duplicated event sends it once."""

    key = models.CharField(max_length=200, unique=True)
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="billing_notices"
    )
    kind = models.CharField(max_length=40)
    context = models.JSONField(default=dict, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.key
