from django.urls import path

from .views import (
    ai,
    api_keys,
    billing,
    clients,
    files,
    home,
    invites,
    notifications,
    projects,
    search,
    team,
    workspace,
)

urlpatterns = [
    path("", home.home, name="home"),
    path("dashboard/", home.dashboard, name="dashboard"),
    path(
        "dashboard/sessions/<uuid:session_id>/revoke",
        home.revoke_session,
        name="dashboard-revoke-session",
    ),
    path("dashboard/workspace/switch", workspace.switch, name="dashboard-switch-workspace"),
    # Clients
    path("dashboard/clients/", clients.client_list, name="dashboard-clients"),
    path("dashboard/clients/new", clients.client_create, name="dashboard-client-new"),
    path("dashboard/clients/<uuid:client_id>/", clients.client_detail, name="dashboard-client"),
    path(
        "dashboard/clients/<uuid:client_id>/edit",
        clients.client_edit,
        name="dashboard-client-edit",
    ),
    path(
        "dashboard/clients/<uuid:client_id>/archive",
        clients.client_archive,
        name="dashboard-client-archive",
    ),
    path(
        "dashboard/clients/<uuid:client_id>/delete",
        clients.client_delete,
        name="dashboard-client-delete",
    ),
    path(
        "dashboard/clients/<uuid:client_id>/projects/new",
        clients.project_create,
        name="dashboard-project-new",
    ),
    path(
        "dashboard/clients/<uuid:client_id>/notes",
        clients.note_create,
        name="dashboard-client-note",
    ),
    # Projects
    path(
        "dashboard/projects/<uuid:project_id>/",
        projects.project_detail,
        name="dashboard-project",
    ),
    path(
        "dashboard/projects/<uuid:project_id>/edit",
        projects.project_edit,
        name="dashboard-project-edit",
    ),
    path(
        "dashboard/projects/<uuid:project_id>/delete",
        projects.project_delete,
        name="dashboard-project-delete",
    ),
    path(
        "dashboard/projects/<uuid:project_id>/milestones",
        projects.milestone_create,
        name="dashboard-milestone-new",
    ),
    path(
        "dashboard/projects/<uuid:project_id>/milestones/<uuid:milestone_id>/toggle",
        projects.milestone_toggle,
        name="dashboard-milestone-toggle",
    ),
    path(
        "dashboard/projects/<uuid:project_id>/notes",
        projects.note_create,
        name="dashboard-project-note",
    ),
    # Files and AI summaries on the client and project pages
    path(
        "dashboard/clients/<uuid:client_id>/files",
        files.client_file_upload,
        name="dashboard-client-file-upload",
    ),
    path(
        "dashboard/projects/<uuid:project_id>/files",
        files.project_file_upload,
        name="dashboard-project-file-upload",
    ),
    path(
        "dashboard/files/<uuid:file_id>/download",
        files.file_download,
        name="dashboard-file-download",
    ),
    path("dashboard/files/<uuid:file_id>/delete", files.file_delete, name="dashboard-file-delete"),
    path(
        "dashboard/clients/<uuid:client_id>/summarize",
        ai.client_summarize,
        name="dashboard-client-summarize",
    ),
    path(
        "dashboard/projects/<uuid:project_id>/summarize",
        ai.project_summarize,
        name="dashboard-project-summarize",
    ),
    path("dashboard/ai/jobs/<uuid:job_id>", ai.job_status, name="dashboard-ai-job"),
    # Team
    path("dashboard/team/", team.team, name="dashboard-team"),
    path("dashboard/team/new", team.team_create, name="dashboard-team-new"),
    path("dashboard/team/leave", team.leave, name="dashboard-team-leave"),
    path(
        "dashboard/team/members/<uuid:member_id>/role",
        team.member_role,
        name="dashboard-member-role",
    ),
    path(
        "dashboard/team/members/<uuid:member_id>/remove",
        team.member_remove,
        name="dashboard-member-remove",
    ),
    path("dashboard/team/invites", team.invite_create, name="dashboard-invite-new"),
    path(
        "dashboard/team/invites/<uuid:invite_id>/resend",
        team.invite_resend,
        name="dashboard-invite-resend",
    ),
    path(
        "dashboard/team/invites/<uuid:invite_id>/revoke",
        team.invite_revoke,
        name="dashboard-invite-revoke",
    ),
    # Billing
    path("dashboard/billing/", billing.billing, name="dashboard-billing"),
    path("dashboard/billing/checkout", billing.checkout, name="dashboard-billing-checkout"),
    path("dashboard/billing/change", billing.change, name="dashboard-billing-change"),
    path("dashboard/billing/cancel", billing.cancel, name="dashboard-billing-cancel"),
    path("dashboard/billing/portal", billing.portal, name="dashboard-billing-portal"),
    # API keys
    path("dashboard/api-keys/", api_keys.api_keys, name="dashboard-api-keys"),
    path("dashboard/api-keys/new", api_keys.api_key_create, name="dashboard-api-key-new"),
    path(
        "dashboard/api-keys/<uuid:key_id>/rotate",
        api_keys.api_key_rotate,
        name="dashboard-api-key-rotate",
    ),
    path(
        "dashboard/api-keys/<uuid:key_id>/revoke",
        api_keys.api_key_revoke,
        name="dashboard-api-key-revoke",
    ),
    # Notifications: the signed-in person's own, in any workspace
    path(
        "dashboard/notifications/",
        notifications.notification_list,
        name="dashboard-notifications",
    ),
    path(
        "dashboard/notifications/preferences",
        notifications.notification_preferences,
        name="dashboard-notification-preferences",
    ),
    path(
        "dashboard/notifications/read-all",
        notifications.notification_read_all,
        name="dashboard-notifications-read-all",
    ),
    path(
        "dashboard/notifications/<uuid:notification_id>/read",
        notifications.notification_read,
        name="dashboard-notification-read",
    ),
    path(
        "dashboard/notifications/<uuid:notification_id>/delete",
        notifications.notification_delete,
        name="dashboard-notification-delete",
    ),
    # Search in the current workspace
    path("dashboard/search/", search.search, name="dashboard-search"),
    # The invitee's page (the invite email links here)
    path("dashboard/invites/<str:token>/", invites.invite, name="dashboard-invite"),
    path(
        "dashboard/invites/<str:token>/accept",
        invites.invite_accept,
        name="dashboard-invite-accept",
    ),
    path(
        "dashboard/invites/<str:token>/decline",
        invites.invite_decline,
        name="dashboard-invite-decline",
    ),
]
