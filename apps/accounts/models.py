import hashlib

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from apps.core.models import BaseModel

username_validator = RegexValidator(
    r"^[a-z0-9_.]{3,30}$",
    "A username is 3 to 30 lowercase letters, digits, dots or underscores.",
)


def initials_of(name: str, fallback: str = "") -> str:
    words = [word for word in name.split() if word[:1].isalnum()]
    if not words:
        return (fallback[:1] or "?").upper()
    if len(words) == 1:
        return words[0][:1].upper()
    return (words[0][:1] + words[-1][:1]).upper()


def avatar_color_for(seed: str) -> str:
    """A stable, readable HSL background colour derived from the user's id."""
    hue = int(hashlib.sha256(seed.encode()).hexdigest()[:8], 16) % 360
    return f"hsl({hue}, 62%, 42%)"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("Users need an email address.")
        from .services import generate_unique_username

        email = self.normalize_email(email).lower()
        fields.setdefault("name", email.split("@")[0])
        fields.setdefault("username", generate_unique_username(fields["name"] or email))
        user = self.model(email=email, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(BaseModel, AbstractBaseUser, PermissionsMixin):
    """A person. Staff is the seeds' ADMIN role; everyone else is a USER."""

    class Theme(models.TextChoices):
        SYSTEM = "system"
        LIGHT = "light"
        DARK = "dark"

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=100, blank=True)
    username = models.CharField(max_length=30, unique=True, validators=[username_validator])
    initials = models.CharField(max_length=2, editable=False)
    avatar_color = models.CharField(max_length=20, editable=False)
    avatar = models.FileField(upload_to="avatars/", blank=True)
    bio = models.TextField(max_length=500, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    is_online = models.BooleanField(default=False)
    last_active = models.DateTimeField(null=True, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    locale = models.CharField(max_length=10, default="en")
    theme = models.CharField(max_length=10, choices=Theme.choices, default=Theme.SYSTEM)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
        ]
        indexes = [models.Index(fields=["is_online"], name="user_online_idx")]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        self.initials = initials_of(self.name, fallback=self.email)
        if not self.avatar_color:
            self.avatar_color = avatar_color_for(str(self.id))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "initials"}
        super().save(*args, **kwargs)

    @property
    def role(self) -> str:
        return "ADMIN" if self.is_staff else "USER"

    @property
    def avatar_url(self) -> str | None:
        return self.avatar.url if self.avatar else None

    @property
    def display_name(self) -> str:
        return self.name or self.username


class LoginSessionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class LoginSession(BaseModel):
    """One sign-in and every refresh token rotated from it: the user's device session.

    Access tokens carry its id (`sid`), so revoking it stops them at once.
    """

    class RevokeReason(models.TextChoices):
        LOGOUT = "logout"
        REVOKED_BY_USER = "revoked_by_user"
        REVOKED_BY_STAFF = "revoked_by_staff"
        TOKEN_REUSE = "token_reuse"
        PASSWORD_CHANGED = "password_changed"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="login_sessions")
    device = models.CharField(max_length=120, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    last_used_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=20, choices=RevokeReason.choices, blank=True)

    objects = LoginSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-last_used_at"]
        indexes = [models.Index(fields=["user", "revoked_at"], name="loginsession_user_active_idx")]

    def __str__(self):
        return f"{self.user} on {self.device or 'unknown device'}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class RefreshTokenRecord(models.Model):
    """A refresh token we issued, by its `jti`. `used_at` is set once, when it is rotated."""

    jti = models.CharField(max_length=64, primary_key=True)
    session = models.ForeignKey(
        LoginSession, on_delete=models.CASCADE, related_name="refresh_tokens"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["session"], name="refreshtoken_session_idx")]

    def __str__(self):
        return self.jti
