from django.urls import path

from . import views

urlpatterns = [
    path("auth/signup", views.SignupView.as_view(), name="auth-signup"),
    path("auth/register", views.SignupView.as_view(), name="auth-register"),
    path("auth/login", views.LoginView.as_view(), name="auth-login"),
    path("auth/refresh", views.RefreshView.as_view(), name="auth-refresh"),
    path("auth/logout", views.LogoutView.as_view(), name="auth-logout"),
    path("auth/me", views.MeView.as_view(), name="auth-me"),
    path("auth/google", views.GoogleSignInView.as_view(), name="auth-google"),
    path("auth/sessions", views.SessionListView.as_view(), name="auth-sessions"),
    path("auth/sessions/<uuid:session_id>", views.SessionDetailView.as_view(), name="auth-session"),
    path("users", views.UserListView.as_view(), name="users"),
    path("users/profile", views.ProfileView.as_view(), name="users-profile"),
    path("users/settings", views.SettingsView.as_view(), name="users-settings"),
    path("users/account", views.AccountView.as_view(), name="users-account"),
    path("users/me", views.ProfileView.as_view(), name="users-me"),
    path("users/me/avatar", views.AvatarView.as_view(), name="users-me-avatar"),
    path("users/<uuid:user_id>", views.UserDetailView.as_view(), name="users-detail"),
]
