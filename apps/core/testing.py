"""Assertions on the API envelope, shared by every app's tests."""


def data_of(response, status: int = 200):
    """The `data` of a success envelope, after checking the status."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is True
    return body["data"]


def error_of(response, status: int, code: str, field: str | None = None) -> dict:
    """The `error` of a failure envelope, after checking the status, the code and the field."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    if field is not None:
        assert body["error"]["details"][0]["field"] == field
    return body["error"]
