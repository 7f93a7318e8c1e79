"""Sign-up, sign-in, me, refresh rotation with reuse detection, logout: end to end over HTTP."""

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import LoginSession, User
from apps.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def error_of(response) -> dict:
    body = response.json()
    assert body["success"] is False
    return body["error"]


def sign_up(client, **overrides):
    payload = {
        "email": "Ada@Example.com",
        "password": "analytical-engine-1843",
        "name": "Ada Lovelace",
    }
    payload.update(overrides)
    return client.post("/api/v1/auth/signup", payload, format="json")


def test_signup_creates_user_and_answers_tokens_and_cookie(api_client):
    response = sign_up(api_client)

    assert response.status_code == 201
    data = response.json()["data"]
    assert data["user"]["email"] == "ada@example.com"
    assert data["user"]["username"] == "ada_lovelace"
    assert data["user"]["initials"] == "AL"
    assert data["user"]["avatarColor"].startswith("hsl(")
    assert data["user"]["role"] == "USER"
    assert data["accessToken"] and data["refreshToken"]
    cookie = response.cookies[settings.REFRESH_COOKIE_NAME]
    assert cookie.value == data["refreshToken"]
    assert cookie["httponly"] is True
    assert cookie["path"] == settings.REFRESH_COOKIE_PATH
    assert User.objects.get(email="ada@example.com").check_password("analytical-engine-1843")


def test_register_is_an_alias_of_signup(api_client):
    response = api_client.post(
        "/api/v1/auth/register",
        {"email": "grace@example.com", "password": "compilers-are-fun-52"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["data"]["user"]["username"] == "grace"


def test_signup_with_taken_email_in_any_case_is_a_409(api_client):
    UserFactory(email="ada@example.com")
    response = sign_up(api_client, email="ADA@example.com")
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "DUPLICATE_RESOURCE"
    assert error["details"] == [
        {"field": "email", "message": "An account with this email already exists."}
    ]


def test_signup_rejects_a_weak_password_with_the_validator_messages(api_client):
    response = sign_up(api_client, password="12345678")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "VALIDATION_ERROR"
    assert {d["field"] for d in error["details"]} == {"password"}
    assert not User.objects.exists()


def test_signup_username_collision_gets_a_numbered_username(api_client):
    UserFactory(username="ada_lovelace")
    response = sign_up(api_client)
    assert response.json()["data"]["user"]["username"] == "ada_lovelace2"


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"email", "password"}),
        ({"email": "not-an-email", "password": "long-enough-pass-1"}, {"email"}),
        ({"email": 42, "password": "long-enough-pass-1"}, {"email"}),
        ({"email": "a@b.co", "password": 12345678901}, {"password"}),
        ({"email": "a@b.co", "password": "long-enough-pass-1", "name": ["x"]}, {"name"}),
        ({"email": ["a@b.co"], "password": True}, {"email", "password"}),
    ],
)
def test_signup_missing_and_wrong_typed_fields_are_validation_errors(api_client, payload, fields):
    response = api_client.post("/api/v1/auth/signup", payload, format="json")
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "VALIDATION_ERROR"
    assert {d["field"] for d in error["details"]} == fields


def test_login_answers_user_and_tokens(api_client, user):
    response = api_client.post(
        "/api/v1/auth/login",
        {"email": user.email.upper(), "password": DEFAULT_PASSWORD},
        format="json",
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["user"]["id"] == str(user.id)
    me = bearer(data["accessToken"]).get("/api/v1/auth/me")
    assert me.status_code == 200
    assert me.json()["data"]["email"] == user.email
    user.refresh_from_db()
    assert user.is_online is True


def test_login_with_a_wrong_password_or_unknown_email_is_the_same_401(api_client, user):
    wrong = api_client.post(
        "/api/v1/auth/login", {"email": user.email, "password": "nope-nope-nope"}, format="json"
    )
    unknown = api_client.post(
        "/api/v1/auth/login",
        {"email": "ghost@example.com", "password": "nope-nope-nope"},
        format="json",
    )
    assert wrong.status_code == unknown.status_code == 401
    assert error_of(wrong) == error_of(unknown)
    assert error_of(wrong)["code"] == "UNAUTHORIZED"


def test_login_of_a_deactivated_user_is_refused(api_client, user):
    user.is_active = False
    user.save()
    response = api_client.post(
        "/api/v1/auth/login", {"email": user.email, "password": DEFAULT_PASSWORD}, format="json"
    )
    assert response.status_code == 401


def test_me_without_token_is_401_with_www_authenticate(api_client):
    response = api_client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert error_of(response)["code"] == "UNAUTHORIZED"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_refresh_rotates_and_the_old_token_stops_working(api_client, user, login):
    _, _session, pair = login(user)

    response = api_client.post(
        "/api/v1/auth/refresh", {"refreshToken": pair.refresh}, format="json"
    )

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["refreshToken"] != pair.refresh
    assert bearer(data["accessToken"]).get("/api/v1/auth/me").status_code == 200
    # The rotated pair belongs to the same sign-in session.
    assert LoginSession.objects.filter(user=user).count() == 1


def test_refresh_accepts_the_httponly_cookie(user, login):
    _, _, pair = login(user)
    client = APIClient()
    client.cookies[settings.REFRESH_COOKIE_NAME] = pair.refresh
    response = client.post("/api/v1/auth/refresh", {}, format="json")
    assert response.status_code == 200
    assert (
        response.cookies[settings.REFRESH_COOKIE_NAME].value
        == response.json()["data"]["refreshToken"]
    )


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(api_client, user, login):
    _, session, first = login(user)
    _, _other_session, other = login(user, user_agent="other-device")
    rotated = api_client.post(
        "/api/v1/auth/refresh", {"refreshToken": first.refresh}, format="json"
    )
    newest = rotated.json()["data"]

    reuse = api_client.post("/api/v1/auth/refresh", {"refreshToken": first.refresh}, format="json")

    assert reuse.status_code == 401
    assert "already used" in error_of(reuse)["message"]
    session.refresh_from_db()
    assert session.revoked_reason == LoginSession.RevokeReason.TOKEN_REUSE
    # Every token of that sign-in is dead: the newest refresh and both access tokens.
    again = api_client.post(
        "/api/v1/auth/refresh", {"refreshToken": newest["refreshToken"]}, format="json"
    )
    assert again.status_code == 401
    assert bearer(newest["accessToken"]).get("/api/v1/auth/me").status_code == 401
    assert bearer(first.access).get("/api/v1/auth/me").status_code == 401
    # Another sign-in of the same user is a different family and keeps working.
    assert bearer(other.access).get("/api/v1/auth/me").status_code == 200


def test_refresh_without_a_token_is_401(api_client):
    response = api_client.post("/api/v1/auth/refresh", {}, format="json")
    assert response.status_code == 401
    assert error_of(response)["code"] == "UNAUTHORIZED"


@pytest.mark.parametrize("bad", ["garbage", "a.b.c", ""])
def test_refresh_with_a_malformed_token_is_401(api_client, bad):
    response = api_client.post("/api/v1/auth/refresh", {"refreshToken": bad or "x"}, format="json")
    assert response.status_code == 401


def test_refresh_with_an_access_token_is_wrong_type_401(api_client, user, login):
    _, _, pair = login(user)
    response = api_client.post("/api/v1/auth/refresh", {"refreshToken": pair.access}, format="json")
    assert response.status_code == 401


def test_an_access_token_with_a_refresh_token_is_refused(user, login):
    _, _, pair = login(user)
    response = bearer(pair.refresh).get("/api/v1/auth/me")
    assert response.status_code == 401
    assert error_of(response)["code"] == "UNAUTHORIZED"


def test_a_tampered_access_token_is_refused(user, login):
    _, _, pair = login(user)
    header, payload, signature = pair.access.split(".")
    tampered = f"{header}.{payload}.{signature[:-4]}AAAA"
    assert bearer(tampered).get("/api/v1/auth/me").status_code == 401


def test_an_access_token_signed_with_another_key_is_refused(user, login):
    import jwt

    _, _session, pair = login(user)
    claims = jwt.decode(pair.access, options={"verify_signature": False})
    forged = jwt.encode(claims, "not-our-signing-key-but-long-enough-1234567890", algorithm="HS256")
    assert bearer(forged).get("/api/v1/auth/me").status_code == 401


def test_an_expired_access_token_is_refused(user, login):
    _, _, pair = login(user)
    with time_machine.travel(
        timezone.now() + settings.ACCESS_TOKEN_LIFETIME + timezone.timedelta(minutes=1)
    ):
        response = bearer(pair.access).get("/api/v1/auth/me")
    assert response.status_code == 401


def test_an_expired_refresh_token_is_refused(api_client, user, login):
    _, _, pair = login(user)
    later = timezone.now() + settings.REFRESH_TOKEN_LIFETIME + timezone.timedelta(minutes=1)
    with time_machine.travel(later):
        response = api_client.post(
            "/api/v1/auth/refresh", {"refreshToken": pair.refresh}, format="json"
        )
    assert response.status_code == 401


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b", "Token abc", "Basic dXNlcjpwYXNz"])
def test_odd_authorization_headers_never_authenticate(api_client, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)
    response = api_client.get("/api/v1/auth/me")
    assert response.status_code == 401


def test_logout_revokes_the_session_at_once_and_sets_the_user_offline(api_client, user, login):
    client, session, pair = login(user)

    response = client.post("/api/v1/auth/logout", {"refreshToken": pair.refresh}, format="json")

    assert response.status_code == 200
    assert response.json() == {"success": True, "data": None, "message": "Signed out."}
    # The access token dies now, not at its expiry.
    assert bearer(pair.access).get("/api/v1/auth/me").status_code == 401
    assert (
        api_client.post(
            "/api/v1/auth/refresh", {"refreshToken": pair.refresh}, format="json"
        ).status_code
        == 401
    )
    user.refresh_from_db()
    assert user.is_online is False
    assert user.last_active is not None
    session.refresh_from_db()
    assert session.revoked_reason == LoginSession.RevokeReason.LOGOUT


def test_logout_with_only_the_access_token(user, login):
    client, _session, pair = login(user)
    assert client.post("/api/v1/auth/logout", {}, format="json").status_code == 200
    assert bearer(pair.access).get("/api/v1/auth/me").status_code == 401


def test_logout_with_nothing_is_401(api_client):
    assert api_client.post("/api/v1/auth/logout", {}, format="json").status_code == 401


def test_deleting_the_account_kills_its_access_tokens(user, login):
    client, _, pair = login(user)
    response = client.delete("/api/v1/users/account", {"password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 204
    assert bearer(pair.access).get("/api/v1/auth/me").status_code == 401


def test_deactivating_a_user_kills_their_access_tokens(user, login):
    _, _, pair = login(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert bearer(pair.access).get("/api/v1/auth/me").status_code == 401


def test_access_check_costs_one_query(user, login, django_assert_num_queries):
    client, _, _ = login(user)
    client.get("/api/v1/auth/me")  # the first request may refresh last_used_at
    with django_assert_num_queries(1):
        assert client.get("/api/v1/auth/me").status_code == 200


def test_the_access_token_carries_the_documented_claims(user, login):
    import jwt

    _, session, pair = login(user)
    claims = jwt.decode(pair.access, options={"verify_signature": False})
    assert claims["sub"] == str(user.id)
    assert claims["email"] == user.email
    assert claims["role"] == "USER"
    assert claims["type"] == "access"
    assert claims["sid"] == str(session.id)
    assert claims["exp"] - claims["iat"] == settings.ACCESS_TOKEN_LIFETIME.total_seconds()
