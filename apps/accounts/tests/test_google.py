"""Google sign-in end to end: real ID tokens, signed with a key of our own, whose certificate a
local HTTP server publishes the way Google does (`{"<kid>": "<PEM certificate>"}`)."""

import base64
import datetime
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from google.auth import crypt
from google.auth import jwt as google_jwt

from apps.accounts.models import LoginSession, User
from apps.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/google"
CLIENT_ID = "test-client.apps.googleusercontent.com"
KID = "test-key-1"


def _private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _self_signed_certificate(key: rsa.RSAPrivateKey) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test.googleapis.invalid")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


@pytest.fixture(scope="module")
def google_key() -> rsa.RSAPrivateKey:
    return _private_key()


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    return _private_key()


@pytest.fixture(scope="module")
def certs_url(google_key):
    """Serve the certificate of `google_key` under KID from 127.0.0.1, as Google's endpoint does."""
    body = json.dumps({KID: _self_signed_certificate(google_key)}).encode()

    class CertsHandler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), CertsHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/oauth2/v1/certs"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _google_settings(settings, certs_url):
    settings.GOOGLE_CLIENT_ID = CLIENT_ID
    settings.GOOGLE_CERTS_URL = certs_url


@pytest.fixture
def id_token(google_key):
    """Sign an ID token with Google's (test) key; keyword arguments override the claims."""
    signer = crypt.RSASigner.from_string(_pem(google_key), key_id=KID)

    def _sign(*, signer=signer, **overrides) -> str:
        now = int(time.time())
        claims = {
            "iss": "https://accounts.google.com",
            "aud": CLIENT_ID,
            "sub": "110169484474386276334",
            "email": "ada@example.com",
            "email_verified": True,
            "name": "Ada Lovelace",
            "iat": now,
            "exp": now + 3600,
            **overrides,
        }
        return google_jwt.encode(signer, claims).decode()

    return _sign


def _sign_in(client, token):
    return client.post(URL, {"idToken": token}, format="json")


def _assert_error(response, status_code: int, code: str) -> dict:
    assert response.status_code == status_code, response.content
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_new_google_user_is_created_and_signed_in(api_client, id_token):
    response = _sign_in(api_client, id_token())

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    data = body["data"]
    assert data["user"]["email"] == "ada@example.com"
    assert data["user"]["name"] == "Ada Lovelace"
    assert data["user"]["initials"] == "AL"
    assert data["user"]["username"] == "ada_lovelace"
    assert data["accessToken"]
    assert data["refreshToken"]
    assert data["accessTokenExpiresAt"]

    user = User.objects.get(email="ada@example.com")
    assert str(user.pk) == data["user"]["id"]
    assert not user.has_usable_password()
    assert LoginSession.objects.filter(user=user).count() == 1

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {data['accessToken']}")
    me = api_client.get("/api/v1/auth/me")
    assert me.status_code == 200
    assert me.json()["data"]["id"] == data["user"]["id"]
    assert me.json()["data"]["username"] == "ada_lovelace"


def test_existing_user_with_the_same_email_in_any_case_signs_in_as_themselves(api_client, id_token):
    existing = UserFactory(email="ada@example.com", name="Augusta Ada King", username="countess")

    response = _sign_in(api_client, id_token(email="ADA@Example.COM"))

    assert response.status_code == 200
    user = response.json()["data"]["user"]
    assert user["id"] == str(existing.pk)
    assert user["username"] == "countess"
    assert user["name"] == "Augusta Ada King"
    assert User.objects.filter(email__iexact="ada@example.com").count() == 1
    assert User.objects.count() == 1


def test_google_user_whose_username_is_taken_gets_the_next_number(api_client, id_token):
    UserFactory(username="ada_lovelace", email="someone.else@example.com")

    response = _sign_in(api_client, id_token())

    assert response.status_code == 200
    assert response.json()["data"]["user"]["username"] == "ada_lovelace2"
    assert User.objects.get(email="ada@example.com").username == "ada_lovelace2"


def test_disabled_account_cannot_sign_in_with_google(api_client, id_token):
    UserFactory(email="ada@example.com", is_active=False)

    response = _sign_in(api_client, id_token())

    _assert_error(response, 401, "UNAUTHORIZED")
    assert not LoginSession.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param(
            {"iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600}, id="expired"
        ),
        pytest.param({"aud": "someone-else.apps.googleusercontent.com"}, id="wrong-audience"),
        pytest.param({"iss": "https://evil.example.com"}, id="wrong-issuer"),
        pytest.param({"email_verified": False}, id="email-not-verified"),
        pytest.param(
            {"email_verified": "false"},
            id="email-not-verified-as-text",
        ),
        pytest.param({"email": ""}, id="no-email"),
    ],
)
def test_rejected_google_token_answers_401_and_creates_no_user(api_client, id_token, overrides):
    response = _sign_in(api_client, id_token(**overrides))

    _assert_error(response, 401, "UNAUTHORIZED")
    assert not User.objects.exists()
    assert not LoginSession.objects.exists()


@pytest.mark.parametrize("kid", ["unknown-key", KID], ids=["unknown-kid", "known-kid"])
def test_token_signed_by_another_key_answers_401(api_client, id_token, other_key, kid):
    forger = crypt.RSASigner.from_string(_pem(other_key), key_id=kid)

    response = _sign_in(api_client, id_token(signer=forger))

    _assert_error(response, 401, "UNAUTHORIZED")
    assert not User.objects.exists()


def _b64(segment: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(segment).encode()).rstrip(b"=").decode()


def test_token_whose_claims_were_changed_after_signing_answers_401(api_client, id_token):
    header, payload, signature = id_token(email="ada@example.com").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["email"] = "admin@example.com"

    response = _sign_in(api_client, f"{header}.{_b64(claims)}.{signature}")

    _assert_error(response, 401, "UNAUTHORIZED")
    assert not User.objects.exists()


def test_unsigned_token_answers_401(api_client, id_token):
    _, payload, _ = id_token().split(".")

    response = _sign_in(api_client, f"{_b64({'alg': 'none', 'kid': KID})}.{payload}.")

    _assert_error(response, 401, "UNAUTHORIZED")
    assert not User.objects.exists()


def test_garbage_token_answers_401(api_client):
    response = _sign_in(api_client, "not-a-jwt")

    _assert_error(response, 401, "UNAUTHORIZED")


def test_unconfigured_google_sign_in_answers_503(api_client, id_token, settings):
    settings.GOOGLE_CLIENT_ID = ""

    response = _sign_in(api_client, id_token())

    _assert_error(response, 503, "NOT_CONFIGURED")
    assert not User.objects.exists()


def test_unreachable_certificates_answer_503(api_client, id_token, settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.GOOGLE_CERTS_URL = f"http://127.0.0.1:{closed_port}/oauth2/v1/certs"

    response = _sign_in(api_client, id_token())

    _assert_error(response, 503, "SERVICE_UNAVAILABLE")
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"idToken": 12345}, {"idToken": ""}],
    ids=["missing", "number", "blank"],
)
def test_sign_in_without_a_string_id_token_answers_400(api_client, body):
    response = api_client.post(URL, body, format="json")

    error = _assert_error(response, 400, "VALIDATION_ERROR")
    assert [detail["field"] for detail in error["details"]] == ["idToken"]


def test_a_certificate_endpoint_failing_once_is_retried(api_client, id_token, google_key, settings):
    """Google's endpoint answering 503 once costs the user nothing: the fetch is retried."""
    body = json.dumps({KID: _self_signed_certificate(google_key)}).encode()
    calls = []

    class FlakyHandler(BaseHTTPRequestHandler):
        def do_GET(self):
            calls.append(self.path)
            if len(calls) == 1:
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), FlakyHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings.GOOGLE_CERTS_URL = f"http://127.0.0.1:{server.server_address[1]}/certs"
        response = _sign_in(api_client, id_token())
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert response.status_code == 200, response.content
    assert len(calls) == 2
