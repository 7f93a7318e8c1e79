"""Profiles, settings, avatars, the user directory and account deletion."""

import io
import struct
import zlib

import pytest
from allauth.account.models import EmailAddress
from django.core.files.storage import default_storage

from apps.accounts.models import LoginSession, User
from apps.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PRIVATE_FIELDS = {"email", "phone", "phoneNumber"}


def png_bytes(width=2, height=2) -> bytes:
    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def upload(name: str, content: bytes):
    buffer = io.BytesIO(content)
    buffer.name = name
    return buffer


def test_profile_shows_the_users_own_private_fields(user_client, user):
    response = user_client.get("/api/v1/users/profile")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["email"] == user.email
    assert data["id"] == str(user.id)


def test_profile_update_changes_name_and_regenerates_initials(user_client, user):
    response = user_client.patch(
        "/api/v1/users/profile", {"name": "Grace Brewster Hopper", "bio": "Admiral"}, format="json"
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["name"] == "Grace Brewster Hopper"
    assert data["initials"] == "GH"
    assert data["bio"] == "Admiral"
    user.refresh_from_db()
    assert user.initials == "GH"


def test_users_me_accepts_convos_field_names(user_client, user):
    response = user_client.patch(
        "/api/v1/users/me", {"username": "new_name", "phoneNumber": "+15550100"}, format="json"
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.username == "new_name"
    assert user.phone == "+15550100"


def test_taken_username_is_a_409(user_client):
    UserFactory(username="taken")
    response = user_client.patch("/api/v1/users/me", {"username": "taken"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "DUPLICATE_RESOURCE"
    assert response.json()["error"]["details"][0]["field"] == "username"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"username": "No Spaces!"}, "username"),
        ({"username": "ab"}, "username"),
        ({"name": 12}, "name"),
        ({"bio": "x" * 501}, "bio"),
        ({}, None),
    ],
)
def test_profile_update_validation_errors(user_client, payload, field):
    response = user_client.patch("/api/v1/users/profile", payload, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"][0]["field"] == field


def test_settings_update_and_validation(user_client, user):
    ok = user_client.patch(
        "/api/v1/users/settings", {"timezone": "Europe/Paris", "theme": "dark"}, format="json"
    )
    assert ok.status_code == 200
    assert ok.json()["data"]["timezone"] == "Europe/Paris"
    assert ok.json()["data"]["theme"] == "dark"
    bad = user_client.patch("/api/v1/users/settings", {"timezone": "Mars/Olympus"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["error"]["details"][0]["field"] == "timezone"
    wrong_choice = user_client.patch("/api/v1/users/settings", {"theme": "neon"}, format="json")
    assert wrong_choice.status_code == 400
    user.refresh_from_db()
    assert user.timezone == "Europe/Paris"


def test_avatar_upload_stores_a_sniffed_image_under_a_generated_key(user_client, user):
    response = user_client.post(
        "/api/v1/users/me/avatar",
        {"avatar": upload("../../etc/me.exe", png_bytes())},
        format="multipart",
    )
    assert response.status_code == 200
    url = response.json()["data"]["avatarUrl"]
    user.refresh_from_db()
    assert user.avatar.name.startswith("avatars/") and user.avatar.name.endswith(".png")
    assert "me" not in user.avatar.name and ".." not in user.avatar.name
    assert url.endswith(user.avatar.name)
    assert default_storage.exists(user.avatar.name)


def test_replacing_an_avatar_deletes_the_old_file(
    user_client, user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user_client.post(
            "/api/v1/users/me/avatar", {"avatar": upload("a.png", png_bytes())}, format="multipart"
        )
    user.refresh_from_db()
    first = user.avatar.name
    with django_capture_on_commit_callbacks(execute=True):
        user_client.post(
            "/api/v1/users/me/avatar",
            {"avatar": upload("b.png", png_bytes(3, 3))},
            format="multipart",
        )
    user.refresh_from_db()
    assert user.avatar.name != first
    assert not default_storage.exists(first)


@pytest.mark.parametrize(
    ("content", "code", "status"),
    [
        (b"%PDF-1.7 not an image at all", "INVALID_FILE_TYPE", 400),
        (b"just text pretending to be a png", "INVALID_FILE_TYPE", 400),
        (b"", "INVALID_FILE_TYPE", 400),
    ],
)
def test_avatar_rejects_what_is_not_an_image_whatever_its_name(
    user_client, user, content, code, status
):
    response = user_client.post(
        "/api/v1/users/me/avatar", {"avatar": upload("photo.png", content)}, format="multipart"
    )
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    user.refresh_from_db()
    assert not user.avatar


def test_avatar_over_the_size_limit_is_file_too_large(user_client, user, settings):
    settings.AVATAR_MAX_BYTES = 100
    response = user_client.post(
        "/api/v1/users/me/avatar",
        {"avatar": upload("big.png", png_bytes(40, 40))},
        format="multipart",
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "FILE_TOO_LARGE"


def test_avatar_without_a_file_is_a_validation_error(user_client):
    response = user_client.post("/api/v1/users/me/avatar", {"note": "x"}, format="multipart")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"] == [{"field": "avatar", "message": "This field is required."}]


def test_avatar_sent_as_json_is_unsupported_media_type(user_client):
    response = user_client.post("/api/v1/users/me/avatar", {"avatar": "x"}, format="json")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_user_directory_shows_public_profiles_only_and_searches(user_client, user):
    UserFactory(name="Katherine Johnson", username="kjohnson", phone="+1555")
    UserFactory(name="Dorothy Vaughan", username="dvaughan")
    UserFactory(name="Hidden Person", username="hidden", is_active=False)

    everyone = user_client.get("/api/v1/users")
    found = user_client.get("/api/v1/users", {"search": "kath"})

    assert everyone.status_code == 200
    body = everyone.json()
    names = [row["name"] for row in body["data"]]
    assert names == ["Dorothy Vaughan", "Katherine Johnson"]  # not me, not the inactive one
    assert body["meta"] == {"total": 2, "page": 1, "perPage": 20, "totalPages": 1}
    assert [row["username"] for row in found.json()["data"]] == ["kjohnson"]
    for row in body["data"]:
        assert not PRIVATE_FIELDS & set(row)
        assert {"id", "name", "username", "initials", "avatarColor", "isOnline"} <= set(row)


def test_user_directory_query_count_does_not_grow_with_rows(user_client, django_assert_num_queries):
    UserFactory.create_batch(5)
    # Session and user in one query, then COUNT and one page SELECT.
    with django_assert_num_queries(3):
        user_client.get("/api/v1/users")
    UserFactory.create_batch(40)
    with django_assert_num_queries(3):
        response = user_client.get("/api/v1/users", {"perPage": 50})
    assert len(response.json()["data"]) == 45


def test_user_directory_pagination(user_client):
    UserFactory.create_batch(5)
    page = user_client.get("/api/v1/users", {"perPage": 2, "page": 3}).json()
    assert len(page["data"]) == 1
    assert page["meta"] == {"total": 5, "page": 3, "perPage": 2, "totalPages": 3}
    beyond = user_client.get("/api/v1/users", {"perPage": 2, "page": 9})
    assert beyond.status_code == 404


def test_public_profile_by_id_hides_email_and_phone(user_client):
    other = UserFactory(phone="+1555")
    response = user_client.get(f"/api/v1/users/{other.id}")
    assert response.status_code == 200
    assert response.json()["data"]["username"] == other.username
    assert not PRIVATE_FIELDS & set(response.json()["data"])


def test_unknown_or_inactive_user_is_a_404(user_client):
    inactive = UserFactory(is_active=False)
    assert user_client.get(f"/api/v1/users/{inactive.id}").status_code == 404
    assert user_client.get("/api/v1/users/00000000-0000-0000-0000-000000000000").status_code == 404


def test_user_endpoints_need_authentication(api_client, user):
    for method, path in [
        ("get", "/api/v1/users"),
        ("get", f"/api/v1/users/{user.id}"),
        ("get", "/api/v1/users/profile"),
        ("patch", "/api/v1/users/profile"),
        ("patch", "/api/v1/users/me"),
        ("patch", "/api/v1/users/settings"),
        ("post", "/api/v1/users/me/avatar"),
        ("delete", "/api/v1/users/account"),
    ]:
        response = getattr(api_client, method)(path)
        assert response.status_code == 401, (method, path)


def test_account_deletion_needs_the_password(user_client, user):
    response = user_client.delete("/api/v1/users/account", {"password": "wrong"}, format="json")
    assert response.status_code == 403
    assert User.objects.filter(pk=user.pk).exists()


def test_account_deletion_removes_everything_the_user_owns(
    user, login, django_capture_on_commit_callbacks
):
    client, _, _ = login(user)
    login(user)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/api/v1/users/me/avatar", {"avatar": upload("a.png", png_bytes())}, format="multipart"
        )
    user.refresh_from_db()
    avatar = user.avatar.name
    bystander = UserFactory()
    login(bystander)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(
            "/api/v1/users/account", {"password": DEFAULT_PASSWORD}, format="json"
        )

    assert response.status_code == 204
    assert not User.objects.filter(pk=user.pk).exists()
    assert not LoginSession.objects.filter(user_id=user.pk).exists()
    assert not EmailAddress.objects.filter(user_id=user.pk).exists()
    assert not default_storage.exists(avatar)
    assert LoginSession.objects.filter(user=bystander).count() == 1


def test_a_google_only_account_deletes_without_a_password(login):
    google_user = UserFactory()
    google_user.set_unusable_password()
    google_user.save()
    client, _, _ = login(google_user)
    assert client.delete("/api/v1/users/account").status_code == 204
    assert not User.objects.filter(pk=google_user.pk).exists()
