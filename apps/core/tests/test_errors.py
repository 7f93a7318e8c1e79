"""Every bad input answers the error envelope with the right code and status."""

import pytest

pytestmark = pytest.mark.django_db

SIGNUP = "/api/v1/auth/signup"


def error_of(response) -> dict:
    body = response.json()
    assert body["success"] is False
    assert set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def test_malformed_json_is_malformed_request(api_client):
    response = api_client.post(SIGNUP, b'{"email": "a@b.co",', content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "MALFORMED_REQUEST"


@pytest.mark.parametrize("body", [b"[1, 2]", b'"text"', b"42", b"null"])
def test_json_that_is_not_an_object_is_a_validation_error(api_client, body):
    response = api_client.post(SIGNUP, body, content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "VALIDATION_ERROR"


def test_oversized_body_is_413_and_nothing_is_created(api_client, settings):
    from apps.accounts.models import User

    settings.API_MAX_BODY_BYTES = 1024
    padding = "x" * 2048
    body = f'{{"email": "big@example.com", "password": "long-enough-pw-1", "name": "{padding}"}}'
    response = api_client.post(SIGNUP, body.encode(), content_type="application/json")
    assert response.status_code == 413
    assert error_of(response)["code"] == "PAYLOAD_TOO_LARGE"
    assert not User.objects.exists()


def test_a_body_longer_than_its_declared_length_is_cut_at_the_limit(settings):
    """A chunked or lying client: the parser reads one byte past the limit and stops."""
    import io

    from django.test import RequestFactory

    from apps.core.errors import PayloadTooLarge
    from apps.core.parsers import JSONParser

    settings.API_MAX_BODY_BYTES = 1024
    request = RequestFactory().post(SIGNUP, b"{}", content_type="application/json")
    request.META.pop("CONTENT_LENGTH", None)
    stream = io.BytesIO(b'{"email": "' + b"x" * 10_000 + b'"}')
    with pytest.raises(PayloadTooLarge):
        JSONParser().parse(stream, parser_context={"request": request})
    assert stream.tell() == 1025


def test_unsupported_media_type(api_client):
    response = api_client.post(SIGNUP, b"<xml/>", content_type="application/xml")
    assert response.status_code == 415
    assert error_of(response)["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_wrong_method_is_405(api_client):
    response = api_client.get(SIGNUP)
    assert response.status_code == 405
    assert error_of(response)["code"] == "METHOD_NOT_ALLOWED"


def test_not_acceptable(api_client):
    response = api_client.get("/api/v1/health/live", HTTP_ACCEPT="text/csv")
    assert response.status_code == 406
    assert error_of(response)["code"] == "NOT_ACCEPTABLE"


def test_camel_case_in_and_out(user_client):
    response = user_client.patch("/api/v1/users/me", {"phoneNumber": "+1 555"}, format="json")
    assert response.status_code == 200
    data = response.json()["data"]
    assert "avatarColor" in data and "avatar_color" not in data
    assert data["phone"] == "+1 555"


def test_nested_field_paths_in_details_are_camel_case():
    from rest_framework.exceptions import ValidationError

    from apps.core.exceptions import exception_handler

    exc = ValidationError(
        {"line_items": [{"unit_price": ["Too low."]}], "non_field_errors": ["No."]}
    )
    response = exception_handler(exc, {})
    assert response.data["error"]["details"] == [
        {"field": "lineItems.0.unitPrice", "message": "Too low."},
        {"field": None, "message": "No."},
    ]


def test_an_unhandled_error_answers_500_envelope_without_internals(api_client, settings):
    from apps.core.exceptions import exception_handler

    response = exception_handler(RuntimeError("secret internals"), {})
    assert response.status_code == 500
    assert response.data["error"]["code"] == "INTERNAL_ERROR"
    assert "secret" not in response.data["error"]["message"]
