import pytest

pytestmark = pytest.mark.django_db


def test_health_answers_the_envelope_with_each_check(api_client):
    response = api_client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["data"]["status"] == "ok"
    assert body["data"]["checks"]["database"]["ok"] is True
    assert body["data"]["checks"]["cache"]["ok"] is True


def test_unknown_api_path_answers_not_found_envelope(api_client):
    response = api_client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {
        "success": False,
        "error": {
            "code": "NOT_FOUND",
            "message": "No endpoint answers at this path.",
            "details": [],
        },
    }
