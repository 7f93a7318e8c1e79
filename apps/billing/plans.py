"""The plans every installation starts with (seeded by a migration). Staff change prices,
limits and Stripe price ids in the admin afterwards; the seed never overwrites their edits."""

MB = 1024 * 1024
GB = 1024 * MB

PLANS = [
    {
        "code": "free",
        "name": "Free",
        "description": "For a freelancer getting started.",
        "price_cents": 0,
        "seats": 3,
        "clients": 10,
        "ai_summaries_per_month": 20,
        "storage_bytes": 500 * MB,
        "audit_retention_days": 30,
        "features": ["ai_summaries"],
        "sort_order": 0,
    },
    {
        "code": "pro",
        "name": "Pro",
        "description": "For a busy freelancer or a small studio.",
        "price_cents": 1900,
        "trial_days": 14,
        "seats": 10,
        "clients": 500,
        "ai_summaries_per_month": 500,
        "storage_bytes": 20 * GB,
        "audit_retention_days": 365,
        "features": ["ai_summaries", "api_keys", "audit_export"],
        "sort_order": 1,
    },
    {
        "code": "business",
        "name": "Business",
        "description": "For agencies: more people, no client limit, longer history.",
        "price_cents": 4900,
        "trial_days": 14,
        "seats": 50,
        "clients": None,
        "ai_summaries_per_month": 5000,
        "storage_bytes": 200 * GB,
        "audit_retention_days": 730,
        "features": ["ai_summaries", "api_keys", "audit_export", "priority_support"],
        "sort_order": 2,
    },
]


def ensure_plan(code: str):
    """The plan with this code, re-created from the defaults if it is missing (a database
    emptied by hand, or a test that flushed it); the free plan must always exist."""
    from .models import Plan

    defaults = next(plan for plan in PLANS if plan["code"] == code)
    return Plan.objects.get_or_create(code=code, defaults=defaults)[0]
