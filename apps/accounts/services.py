"""Writes about users: sign-up, sign-in, Google, profiles, avatars, account deletion."""

import re
import uuid
import zoneinfo

from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from rest_framework import status

from apps.core.errors import ApplicationError, ErrorCode, Unauthorized
from apps.notifications.services import send_welcome
from apps.workspaces.services import (
    delete_workspaces_left_empty,
    workspaces_blocking_account_deletion,
)

from .models import User

USERNAME_MAX = 30


def _field_error(field: str, message: str, *, code=ErrorCode.VALIDATION_ERROR, status_code=400):
    return ApplicationError(
        message, code=code, status_code=status_code, details=[{"field": field, "message": message}]
    )


def _username_base(text: str) -> str:
    base = slugify(text.split("@")[0]).replace("-", "_")
    base = re.sub(r"[^a-z0-9_.]", "", base)[: USERNAME_MAX - 5]
    return base if len(base) >= 3 else (base + "user")[:8]


def generate_unique_username(text: str) -> str:
    """`ada_lovelace`, then `ada_lovelace2`, `ada_lovelace3`, ... then a random suffix."""
    base = _username_base(text)
    taken = set(User.objects.filter(username__istartswith=base).values_list("username", flat=True))
    if base not in taken:
        return base
    for number in range(2, 100):
        candidate = f"{base}{number}"
        if candidate not in taken:
            return candidate
    return f"{base}_{uuid.uuid4().hex[:4]}"


def _save_new_user(user: User) -> User:
    """Insert, retrying with a fresh username when a concurrent sign-up took the same one."""
    for _ in range(5):
        try:
            with transaction.atomic():
                user.save()
            return user
        except IntegrityError:
            if User.objects.filter(email__iexact=user.email).exists():
                raise _field_error(
                    "email",
                    "An account with this email already exists.",
                    code=ErrorCode.DUPLICATE_RESOURCE,
                    status_code=status.HTTP_409_CONFLICT,
                ) from None
            user.username = generate_unique_username(user.name or user.email)
    raise ApplicationError("Could not pick a unique username; try again.")


def create_user(
    *, email: str, password: str | None, name: str = "", email_verified: bool = False
) -> User:
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise _field_error(
            "email",
            "An account with this email already exists.",
            code=ErrorCode.DUPLICATE_RESOURCE,
            status_code=status.HTTP_409_CONFLICT,
        )
    name = name.strip()
    user = User(email=email, name=name, username=generate_unique_username(name or email))
    if password is not None:
        try:
            validate_password(password, user=user)
        except DjangoValidationError as exc:
            raise ApplicationError(
                exc.messages[0],
                details=[{"field": "password", "message": message} for message in exc.messages],
            ) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    with transaction.atomic():
        _save_new_user(user)
        # The pages (allauth) know a user's addresses through EmailAddress rows.
        EmailAddress.objects.create(
            user=user, email=user.email, primary=True, verified=email_verified
        )
        # Queued with the account, so a sign-up that rolls back sends nothing.
        send_welcome(user=user)
    return user


def authenticate_user(*, email: str, password: str) -> User:
    user = authenticate(username=email.strip().lower(), password=password)
    if user is None:
        raise Unauthorized("Invalid email or password.")
    return user


def get_or_create_google_user(*, claims: dict) -> User:
    email = claims["email"].strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        if not user.is_active:
            raise Unauthorized("This account is disabled.")
        return user
    try:
        return create_user(
            email=email, password=None, name=claims.get("name") or "", email_verified=True
        )
    except ApplicationError as exc:
        if exc.code != ErrorCode.DUPLICATE_RESOURCE:
            raise
        # A concurrent request created the same account first.
        return User.objects.get(email__iexact=email)


PROFILE_FIELDS = {"name", "username", "bio", "phone"}
SETTINGS_FIELDS = {"timezone", "locale", "theme"}


@transaction.atomic
def update_profile(*, user: User, **changes) -> User:
    unknown = set(changes) - PROFILE_FIELDS
    if unknown:
        raise ValueError(f"Not profile fields: {sorted(unknown)}")
    if "username" in changes:
        username = changes["username"].strip().lower()
        if User.objects.filter(username__iexact=username).exclude(pk=user.pk).exists():
            raise _field_error(
                "username",
                "This username is already taken.",
                code=ErrorCode.DUPLICATE_RESOURCE,
                status_code=status.HTTP_409_CONFLICT,
            )
        changes["username"] = username
    for field, value in changes.items():
        setattr(user, field, value.strip() if isinstance(value, str) else value)
    if changes:
        user.save(update_fields=[*changes, "updated_at"])
    return user


@transaction.atomic
def update_settings(*, user: User, **changes) -> User:
    unknown = set(changes) - SETTINGS_FIELDS
    if unknown:
        raise ValueError(f"Not settings: {sorted(unknown)}")
    if "timezone" in changes and changes["timezone"] not in zoneinfo.available_timezones():
        raise _field_error("timezone", f"Unknown time zone: {changes['timezone']}.")
    for field, value in changes.items():
        setattr(user, field, value)
    if changes:
        user.save(update_fields=[*changes, "updated_at"])
    return user


def set_avatar(*, user: User, upload, extension: str) -> User:
    """Store the image under a generated key and drop the previous one."""
    previous = user.avatar.name if user.avatar else None
    user.avatar.save(f"{uuid.uuid4().hex}.{extension}", upload, save=False)
    user.save(update_fields=["avatar", "updated_at"])
    if previous:
        transaction.on_commit(lambda: user.avatar.storage.delete(previous))
    return user


@transaction.atomic
def delete_account(*, user: User, password: str | None) -> None:
    """The user deletes their own account, confirming with their password."""
    if user.has_usable_password() and not (password and user.check_password(password)):
        raise _field_error(
            "password",
            "Confirm with your current password to delete the account.",
            code=ErrorCode.FORBIDDEN,
            status_code=status.HTTP_403_FORBIDDEN,
        )
    delete_user(user=user)


def delete_user(*, user: User) -> None:
    """Delete the user and everything they own; see the README for what goes and what stays.
    Refused while they are the only owner of a team that others still use."""
    blocking = workspaces_blocking_account_deletion(user)
    if blocking:
        names = ", ".join(sorted(workspace.name for workspace in blocking))
        raise ApplicationError(
            f"{user.email} is the only owner of {names}. Transfer ownership or delete "
            "those workspaces first.",
            code="LAST_OWNER",
            status_code=status.HTTP_409_CONFLICT,
        )
    avatar_name, storage = (user.avatar.name, user.avatar.storage) if user.avatar else (None, None)
    with transaction.atomic():
        delete_workspaces_left_empty(user)
        user.delete()
    if avatar_name:
        transaction.on_commit(lambda: storage.delete(avatar_name))
