from django.conf import settings
from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.envelope import success
from apps.core.errors import Unauthorized
from apps.core.net import client_ip
from apps.core.parsers import MultiPartParser
from apps.core.throttling import AuthRateThrottle, RequestRateThrottle
from apps.core.uploads import IMAGE_TYPES, validate_upload
from apps.core.validation import validated

from . import services, sessions
from .authentication import SessionJWTAuthentication
from .google import verify_google_id_token
from .models import LoginSession, User
from .serializers import (
    AccountDeleteSerializer,
    AuthResultSerializer,
    AvatarSerializer,
    AvatarUploadSerializer,
    GoogleSignInSerializer,
    LoginSerializer,
    LoginSessionSerializer,
    ProfileUpdateSerializer,
    PublicUserSerializer,
    RefreshSerializer,
    SettingsUpdateSerializer,
    SignupSerializer,
    UserSerializer,
)

AUTH_TAG = ["auth"]
USERS_TAG = ["users"]


def _client(request) -> sessions.ClientInfo:
    return sessions.ClientInfo(
        ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")
    )


def _auth_response(request, user, pair: sessions.TokenPair, *, status_code=status.HTTP_200_OK):
    body = AuthResultSerializer(
        {
            "user": user,
            "access_token": pair.access,
            "refresh_token": pair.refresh,
            "access_token_expires_at": pair.access_expires_at,
        }
    ).data
    response = Response(body, status=status_code)
    response.set_cookie(
        settings.REFRESH_COOKIE_NAME,
        pair.refresh,
        expires=pair.refresh_expires_at,
        path=settings.REFRESH_COOKIE_PATH,
        secure=settings.REFRESH_COOKIE_SECURE,
        httponly=True,
        samesite=settings.REFRESH_COOKIE_SAMESITE,
    )
    return response


def _refresh_token_from(request) -> str | None:
    data = validated(RefreshSerializer, request.data or {})
    return data.get("refresh_token") or request.COOKIES.get(settings.REFRESH_COOKIE_NAME)


class _AuthEndpoint(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthRateThrottle, RequestRateThrottle]


class SignupView(_AuthEndpoint):
    @extend_schema(tags=AUTH_TAG, request=SignupSerializer, responses={201: AuthResultSerializer})
    def post(self, request):
        data = validated(SignupSerializer, request.data)
        user = services.create_user(
            email=data["email"], password=data["password"], name=data["name"]
        )
        _, pair = sessions.start_session(user=user, client=_client(request))
        return _auth_response(request, user, pair, status_code=status.HTTP_201_CREATED)


class LoginView(_AuthEndpoint):
    @extend_schema(tags=AUTH_TAG, request=LoginSerializer, responses=AuthResultSerializer)
    def post(self, request):
        data = validated(LoginSerializer, request.data)
        user = services.authenticate_user(email=data["email"], password=data["password"])
        _, pair = sessions.start_session(user=user, client=_client(request))
        return _auth_response(request, user, pair)


class GoogleSignInView(_AuthEndpoint):
    @extend_schema(tags=AUTH_TAG, request=GoogleSignInSerializer, responses=AuthResultSerializer)
    def post(self, request):
        data = validated(GoogleSignInSerializer, request.data)
        claims = verify_google_id_token(data["id_token"])
        user = services.get_or_create_google_user(claims=claims)
        _, pair = sessions.start_session(user=user, client=_client(request))
        return _auth_response(request, user, pair)


class RefreshView(_AuthEndpoint):
    @extend_schema(
        tags=AUTH_TAG,
        request=RefreshSerializer,
        responses=AuthResultSerializer,
        description="Rotate the refresh token (from the body or the httpOnly cookie). A token "
        "presented twice revokes its whole sign-in session.",
    )
    def post(self, request):
        raw = _refresh_token_from(request)
        if not raw:
            raise Unauthorized("Send refreshToken in the body or the refresh cookie.")
        session, pair = sessions.rotate_refresh_token(raw=raw, client=_client(request))
        return _auth_response(request, session.user, pair)


class LogoutView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=AUTH_TAG,
        request=RefreshSerializer,
        responses={200: None},
        description="Revoke the session of the given refresh token (body or cookie), or else of "
        "the Bearer access token, and mark the user offline.",
    )
    def post(self, request):
        raw = _refresh_token_from(request)
        if raw:
            session = sessions.session_for_refresh_token(raw)
        else:
            authenticated = SessionJWTAuthentication().authenticate(request)
            if authenticated is None:
                raise Unauthorized("Send a refresh token or a Bearer access token.")
            session = request.login_session
        sessions.end_session(session=session)
        response = Response(success(None, message="Signed out."))
        response.delete_cookie(settings.REFRESH_COOKIE_NAME, path=settings.REFRESH_COOKIE_PATH)
        return response


class MeView(APIView):
    @extend_schema(tags=AUTH_TAG, responses=UserSerializer)
    def get(self, request):
        return Response(UserSerializer(request.user).data)


class SessionListView(APIView):
    @extend_schema(tags=AUTH_TAG, responses=LoginSessionSerializer(many=True))
    def get(self, request):
        active = LoginSession.objects.active().filter(user=request.user)
        context = {"current_session_id": request.login_session.pk}
        return Response(LoginSessionSerializer(active, many=True, context=context).data)

    @extend_schema(
        tags=AUTH_TAG,
        responses={200: None},
        summary="Revoke every session but the current one",
        operation_id="auth_sessions_revoke_others",
    )
    def delete(self, request):
        count = sessions.revoke_all_sessions(
            user=request.user,
            reason=LoginSession.RevokeReason.REVOKED_BY_USER,
            keep=request.login_session,
        )
        return Response(success({"revoked": count}, message=f"Revoked {count} other sessions."))


class SessionDetailView(APIView):
    @extend_schema(tags=AUTH_TAG, responses={204: None})
    def delete(self, request, session_id):
        session = generics.get_object_or_404(
            LoginSession.objects.active().filter(user=request.user), pk=session_id
        )
        sessions.revoke_session(session=session, reason=LoginSession.RevokeReason.REVOKED_BY_USER)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProfileView(APIView):
    """EchoHub's users/profile; Convo's users/me is the same update under another name."""

    @extend_schema(tags=USERS_TAG, responses=UserSerializer)
    def get(self, request):
        return Response(UserSerializer(request.user).data)

    @extend_schema(tags=USERS_TAG, request=ProfileUpdateSerializer, responses=UserSerializer)
    def patch(self, request):
        data = validated(ProfileUpdateSerializer, request.data)
        user = services.update_profile(user=request.user, **data)
        return Response(UserSerializer(user).data)


class SettingsView(APIView):
    @extend_schema(tags=USERS_TAG, request=SettingsUpdateSerializer, responses=UserSerializer)
    def patch(self, request):
        data = validated(SettingsUpdateSerializer, request.data)
        user = services.update_settings(user=request.user, **data)
        return Response(UserSerializer(user).data)


class AccountView(APIView):
    @extend_schema(
        tags=USERS_TAG,
        request=AccountDeleteSerializer,
        responses={204: None},
        description="Delete the account and everything it owns. Accounts with a password "
        "confirm with it.",
    )
    def delete(self, request):
        data = validated(AccountDeleteSerializer, request.data or {})
        services.delete_account(user=request.user, password=data.get("password"))
        return Response(status=status.HTTP_204_NO_CONTENT)


class AvatarView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(tags=USERS_TAG, request=AvatarUploadSerializer, responses=AvatarSerializer)
    def post(self, request):
        upload = request.FILES.get("avatar")
        extension = validate_upload(
            upload, allowed=IMAGE_TYPES, max_bytes=settings.AVATAR_MAX_BYTES, field="avatar"
        )
        user = services.set_avatar(user=request.user, upload=upload, extension=extension)
        return Response({"avatar_url": user.avatar_url})


class UserListView(generics.ListAPIView):
    serializer_class = PublicUserSerializer

    def get_queryset(self):
        users = User.objects.filter(is_active=True).exclude(pk=self.request.user.pk)
        term = self.request.query_params.get("search", "").strip()
        if term:
            users = users.filter(Q(name__icontains=term) | Q(username__icontains=term))
        return users.order_by("name", "username")

    @extend_schema(
        tags=USERS_TAG,
        parameters=[OpenApiParameter("search", str, description="Part of a name or username")],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class UserDetailView(generics.RetrieveAPIView):
    serializer_class = PublicUserSerializer
    queryset = User.objects.filter(is_active=True)
    lookup_url_kwarg = "user_id"

    @extend_schema(tags=USERS_TAG)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
