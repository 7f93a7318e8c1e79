# One image, several process groups (see docker-compose.yml):
#   web    granian, WSGI: plain HTTP (several times faster than ASGI for Django views)
#   ws     uvicorn, ASGI: websockets under /ws/
#   worker celery worker;  beat  celery beat (django-celery-beat scheduler)
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

WORKDIR /app
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=app:app . .

# collectstatic needs settings to import; these values exist only for this build step.
RUN DJANGO_SECRET_KEY=build-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz \
    DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput \
 && mkdir -p /app/media && chown app:app /app/media

ARG GIT_COMMIT=unknown
ENV GIT_COMMIT=${GIT_COMMIT}

USER app
EXPOSE 8000 8001

HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=2)" || exit 1

# 4 blocking threads per worker (not granian's 256): fewer threads fighting over the GIL and
# the database pool; 1.2-1.4x the throughput of the defaults in bench/servers.py.
CMD ["granian", "--interface", "wsgi", "--host", "0.0.0.0", "--port", "8000", \
     "--workers", "2", "--blocking-threads", "4", "--respawn-failed-workers", \
     "config.wsgi:application"]
