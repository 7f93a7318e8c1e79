"""Sign-in sessions and their tokens: issue, rotate with reuse detection, revoke.

A login creates a LoginSession (the "family"); each refresh rotates its refresh token. A
refresh token presented a second time means it leaked or raced: the whole session is revoked.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken
from ua_parser import parse as parse_user_agent

from apps.core.errors import ApplicationError, Unauthorized

from .models import LoginSession, RefreshTokenRecord, User


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    access_expires_at: datetime
    refresh_expires_at: datetime


@dataclass(frozen=True)
class ClientInfo:
    ip: str | None = None
    user_agent: str = ""


def _unauthorized(message: str) -> ApplicationError:
    return Unauthorized(message)


def describe_device(user_agent: str) -> str:
    if not user_agent:
        return ""
    parsed = parse_user_agent(user_agent)
    browser = parsed.user_agent.family if parsed.user_agent else ""
    system = parsed.os.family if parsed.os else ""
    if browser and system:
        return f"{browser} on {system}"[:120]
    return (browser or system or user_agent)[:120]


def _issue(*, session: LoginSession) -> TokenPair:
    """Mint a pair for the session and record the refresh token; the caller stores expiry."""
    user = session.user
    refresh = RefreshToken()
    refresh["sub"] = str(user.pk)
    refresh["email"] = user.email
    refresh["role"] = user.role
    refresh["sid"] = str(session.pk)
    access = refresh.access_token
    refresh_expires_at = datetime.fromtimestamp(refresh["exp"], tz=UTC)
    RefreshTokenRecord.objects.create(
        jti=refresh["jti"], session=session, expires_at=refresh_expires_at
    )
    return TokenPair(
        access=str(access),
        refresh=str(refresh),
        access_expires_at=datetime.fromtimestamp(access["exp"], tz=UTC),
        refresh_expires_at=refresh_expires_at,
    )


@transaction.atomic
def start_session(*, user: User, client: ClientInfo) -> tuple[LoginSession, TokenPair]:
    now = timezone.now()
    session = LoginSession.objects.create(
        user=user,
        device=describe_device(client.user_agent),
        user_agent=client.user_agent[:400],
        ip_address=client.ip,
        last_used_at=now,
        expires_at=now + settings.REFRESH_TOKEN_LIFETIME,
    )
    User.objects.filter(pk=user.pk).update(is_online=True, last_active=now, last_login=now)
    user.is_online, user.last_active, user.last_login = True, now, now
    return session, _issue(session=session)


def decode_refresh_token(raw: str) -> RefreshToken:
    try:
        return RefreshToken(raw)
    except TokenError:
        raise _unauthorized("The refresh token is invalid or expired.") from None


def rotate_refresh_token(*, raw: str, client: ClientInfo) -> tuple[LoginSession, TokenPair]:
    """Trade a refresh token for a new pair. Only the first presentation of a token wins."""
    token = decode_refresh_token(raw)
    record = (
        RefreshTokenRecord.objects.select_related("session__user").filter(jti=token["jti"]).first()
    )
    if record is None:
        raise _unauthorized("The refresh token is invalid or expired.")
    session = record.session
    if session.revoked_at is not None or not session.user.is_active:
        raise _unauthorized("This session has ended. Sign in again.")

    now = timezone.now()
    with transaction.atomic():
        # The conditional update is the lock: of concurrent callers, exactly one sees a row.
        claimed = RefreshTokenRecord.objects.filter(pk=record.pk, used_at__isnull=True).update(
            used_at=now
        )
        if claimed:
            pair = _issue(session=session)
            LoginSession.objects.filter(pk=session.pk).update(
                last_used_at=now,
                ip_address=client.ip or session.ip_address,
                expires_at=pair.refresh_expires_at,
            )
    if not claimed:
        revoke_session(session=session, reason=LoginSession.RevokeReason.TOKEN_REUSE)
        raise _unauthorized(
            "This refresh token was already used. Every token of this sign-in has been revoked."
        )
    return session, pair


def revoke_session(*, session: LoginSession, reason: str) -> bool:
    """Revoke one session; its access and refresh tokens stop working at once."""
    revoked = LoginSession.objects.filter(pk=session.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )
    return bool(revoked)


def revoke_all_sessions(*, user: User, reason: str, keep: LoginSession | None = None) -> int:
    sessions = LoginSession.objects.filter(user=user, revoked_at__isnull=True)
    if keep is not None:
        sessions = sessions.exclude(pk=keep.pk)
    return sessions.update(revoked_at=timezone.now(), revoked_reason=reason)


@transaction.atomic
def end_session(*, session: LoginSession) -> None:
    """Sign out: revoke the session and mark the user offline."""
    revoke_session(session=session, reason=LoginSession.RevokeReason.LOGOUT)
    User.objects.filter(pk=session.user_id).update(is_online=False, last_active=timezone.now())


def session_for_refresh_token(raw: str) -> LoginSession:
    token = decode_refresh_token(raw)
    record = RefreshTokenRecord.objects.select_related("session").filter(jti=token["jti"]).first()
    if record is None or record.session.revoked_at is not None:
        raise _unauthorized("The refresh token is invalid or expired.")
    return record.session


def purge_expired_sessions(*, older_than_days: int = 30) -> int:
    """Delete sessions that ended (expired or revoked) more than `older_than_days` ago."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    ended = LoginSession.objects.filter(expires_at__lt=cutoff) | LoginSession.objects.filter(
        revoked_at__lt=cutoff
    )
    deleted, _ = ended.delete()
    return deleted
