"""The welcome: every way of signing up sends it once, after the account commits."""

import pytest
from allauth.account.signals import user_signed_up
from django.core import mail
from django.db import transaction
from django.test import Client

from apps.accounts.models import User
from apps.accounts.services import create_user
from apps.notifications.models import EmailDelivery, Notification

pytestmark = pytest.mark.django_db

PASSWORD = "analytical-engine-1843"


def welcomes(to: str) -> list:
    return [m for m in mail.outbox if m.to == [to] and m.subject.startswith("Welcome to")]


def test_signing_up_over_the_api_welcomes_in_the_app_and_by_email(
    api_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/auth/signup",
            {"email": "ada@example.com", "password": PASSWORD, "name": "Ada Lovelace"},
            format="json",
        )

    assert response.status_code == 201
    [email] = welcomes("ada@example.com")
    assert "Hello Ada Lovelace" in email.body
    ada = User.objects.get(email="ada@example.com")
    assert Notification.objects.filter(user=ada, key="welcome").count() == 1


def test_a_sign_up_that_rolls_back_welcomes_nobody(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        create_user(email="ada@example.com", password=PASSWORD)
        raise RuntimeError("the request failed after the account was made")

    assert not EmailDelivery.objects.exists()
    assert mail.outbox == []


def test_signing_up_on_the_page_welcomes_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            "/accounts/signup/",
            {
                "email": "grace@example.com",
                "name": "Grace Hopper",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )

    assert response.status_code == 302
    assert len(welcomes("grace@example.com")) == 1


def test_an_account_welcomed_by_the_service_is_not_welcomed_again_by_allauth(
    django_capture_on_commit_callbacks,
):
    """A Google sign-in can make the account through the service and then finish in allauth."""
    with django_capture_on_commit_callbacks(execute=True):
        ada = create_user(email="ada@example.com", password=None, email_verified=True)
        user_signed_up.send(sender=User, request=None, user=ada)

    assert len(welcomes("ada@example.com")) == 1
    assert Notification.objects.filter(user=ada).count() == 1
