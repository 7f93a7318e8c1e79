from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.accounts import sessions
from apps.accounts.models import LoginSession

from ..selectors import workspace_summary
from ..workspace import workspace_page


def home(request):
    return redirect("dashboard" if request.user.is_authenticated else "account_login")


@workspace_page()
def dashboard(request):
    active = LoginSession.objects.active().filter(user=request.user)
    return render(
        request,
        "dashboard/index.html",
        {"login_sessions": active, "summary": workspace_summary(request.workspace)},
    )


@login_required
@require_POST
def revoke_session(request, session_id):
    session = get_object_or_404(
        LoginSession.objects.active().filter(user=request.user), pk=session_id
    )
    sessions.revoke_session(session=session, reason=LoginSession.RevokeReason.REVOKED_BY_USER)
    messages.success(request, f"Signed out {session.device or 'that device'}.")
    return redirect("dashboard")
