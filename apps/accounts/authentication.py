from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication

from .models import LoginSession

# How stale `last_used_at` may get before a request refreshes it: one write a minute at most.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class SessionJWTAuthentication(JWTAuthentication):
    """A Bearer access token, accepted only while its sign-in session is active.

    The session row and its user come back in one indexed query, the same single query that
    plain simplejwt spends on loading the user, so revocation is immediate at no extra cost.
    """

    def authenticate(self, request):
        header = self.get_header(request)
        if header is None:
            return None
        raw_token = self.get_raw_token(header)
        if raw_token is None:
            return None
        validated_token = self.get_validated_token(raw_token)
        session = self._active_session(validated_token)
        request.login_session = session
        return session.user, validated_token

    def _active_session(self, token) -> LoginSession:
        ended = AuthenticationFailed("This session has ended. Sign in again.", code="session_ended")
        try:
            session = LoginSession.objects.select_related("user").get(
                pk=token.get("sid"), revoked_at__isnull=True
            )
        except (LoginSession.DoesNotExist, ValidationError, ValueError):
            raise ended from None
        user = session.user
        if str(user.pk) != token.get("sub") or not user.is_active:
            raise ended
        now = timezone.now()
        if now - session.last_used_at > LAST_USED_RESOLUTION:
            LoginSession.objects.filter(pk=session.pk).update(last_used_at=now)
            session.last_used_at = now
        return session
