"""A local stand-in for Stripe's REST API, for tests that drive the real `stripe` library.

`FakeStripe` runs a threaded HTTP server on 127.0.0.1 (random port). Point `STRIPE_API_BASE` at
`fake.url` and the official client talks to it as it would to api.stripe.com, for API version
2026-10-28.endive.

What it emulates:
- /v1/customers (create, retrieve, update), /v1/prices/{id} (`price_pro_month` 1900 usd/month and
  `price_business_month` 4900 usd/month are preregistered; `add_price` adds more),
  /v1/checkout/sessions in subscription mode (create, retrieve, line_items),
  /v1/billing_portal/sessions, /v1/subscriptions (create, retrieve, list, update, cancel),
  /v1/invoices (list, retrieve), /v1/payment_intents (create, retrieve, cancel),
  /v1/refunds (create, retrieve).
- The wire format: form-encoded bracket params (`items[0][price]`, `metadata[k]`, `expand[0]`)
  parsed into nested dicts and lists; parameters the stripe package's own param types do not
  declare are refused with `parameter_unknown`, as Stripe refuses them; `expand` (ids become
  objects; includable fields, invoice `confirmation_secret` and checkout `line_items`, appear only
  when expanded); list pages (`limit`, `starting_after`, `ending_before`, `has_more`, `url`).
- Endive object shapes: billing periods live on subscription items, an invoice names its
  subscription under `parent.subscription_details`, and (as on Stripe) a renewal invoice's
  `period_start`/`period_end` is the period that just ended while its line carries the paid one.
- Stripe's error body and statuses, API key checks (401), `Idempotency-Key` replay (and
  `idempotency_error` when a key comes back with other params), `Request-Id`, and a log of every
  request (`requests`) with the `Stripe-Version` header it carried.
- Webhooks: every state change appends the Event(s) Stripe would send to `events` (updates carry
  `previous_attributes`; deletions, as on Stripe, do not); `sign` makes the `Stripe-Signature`
  header and `deliver` posts an event to our webhook endpoint.

Control methods play Stripe's side and answer the events they emitted: `complete_checkout`,
`pay_invoice`, `fail_invoice`, `renew`, `update_subscription`, `cancel_now`, `succeed_payment`,
`fail_payment`; `fail_next` makes the next requests fail; `reset` forgets everything. Requests
are served one at a time under a lock, so two concurrent requests with one idempotency key see a
replay where Stripe would answer 409 to the second.

What it does not:
- Payment methods, confirmation and 3-D Secure: money moves only through the control methods
  (`pay_invoice`, `succeed_payment`, `fail_payment`, ...). Nothing happens with the passing of
  time either: tests call `renew`, `fail_invoice`, `cancel_now`.
- Prorations and proration invoices, coupons, taxes, schedules, test clocks, Connect, search, v2,
  payment mode checkout, dunning outcomes (use `update_subscription(status=...)`).
- Events a billing integration rarely subscribes to: invoice.created/finalized/updated, the
  payment_intent/charge events of invoice payments, charge.failed, trial_will_end.

Where things are:
- server.py: `FakeStripe` (composed of the mixins below), its lifecycle and `reset`, the HTTP
  handler, routing, API key checks, idempotency, injected failures and the request log.
- wire.py: the form encoding, the unknown-parameter check, param readers, `expand`, list pages.
- errors.py: `StripeAPIError`, Stripe's error body.
- store.py: ids, the clock, and looking objects up as the API does (404 or 400).
- events.py: emitting events, `sign`, `event_payload`, `deliver`.
- prices.py, customers.py, checkout.py (checkout and the billing portal), subscriptions.py,
  invoices.py, payments.py (payment intents, charges, refunds): one mixin per resource family,
  with its API handlers (`_api_*`) and the state changes they share with the controls.
- controls.py: the test's side of Stripe (`complete_checkout`, `pay_invoice`, `fail_next`, ...).
"""

from apps.billing.tests.fake_stripe.errors import StripeAPIError
from apps.billing.tests.fake_stripe.events import TEST_WEBHOOK_SECRET, WEBHOOK_PATH, deliver
from apps.billing.tests.fake_stripe.server import (
    API_VERSION,
    TEST_SECRET_KEY,
    FakeStripe,
    RecordedRequest,
)
from apps.billing.tests.fake_stripe.wire import parse_form

__all__ = [
    "API_VERSION",
    "TEST_SECRET_KEY",
    "TEST_WEBHOOK_SECRET",
    "WEBHOOK_PATH",
    "FakeStripe",
    "RecordedRequest",
    "StripeAPIError",
    "deliver",
    "parse_form",
]
