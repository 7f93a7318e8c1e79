"""Google and GitHub sign-in buttons appear when their client ids are configured."""

import pytest

pytestmark = pytest.mark.django_db


def test_no_social_buttons_without_configuration(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    page = client.get("/accounts/login/").content.decode()
    assert "/accounts/google/login/" not in page
    assert "/accounts/github/login/" not in page


def test_configured_providers_offer_their_buttons(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "google": {"APPS": [{"client_id": "g-id", "secret": "g-secret"}]},
        "github": {"APPS": [{"client_id": "gh-id", "secret": "gh-secret"}]},
    }
    page = client.get("/accounts/login/").content.decode()
    assert "/accounts/google/login/" in page
    assert "/accounts/github/login/" in page


def test_the_github_button_redirects_to_github_with_our_client_id(client, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "github": {"APPS": [{"client_id": "gh-id", "secret": "gh-secret"}]}
    }
    page = client.get("/accounts/login/")
    token = page.cookies["csrftoken"].value
    response = client.post("/accounts/github/login/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Location"].startswith("https://github.com/login/oauth/authorize")
    assert "client_id=gh-id" in response["Location"]
