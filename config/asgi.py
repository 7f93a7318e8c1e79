"""ASGI entry point: the websocket process group. Plain HTTP is served by the WSGI server.

One websocket endpoint, `/ws/` (apps.notifications.consumers), for every real-time event;
the chat adds its message types there rather than a route of its own. The origin is checked
against ALLOWED_HOSTS first, then the session cookie is read (the dashboard's sign-in); API
clients sign in with their access token in the first message instead.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from apps.notifications.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
