# syntax=docker/dockerfile:1
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    NEWSROOM_HOST=0.0.0.0 \
    NEWSROOM_PORT=8000

RUN groupadd --system newsroom \
    && useradd --system --gid newsroom --home-dir /app --no-create-home newsroom

WORKDIR /app

# Dependencies first, at the exact versions (and hashes) of the lock file: this layer is rebuilt
# only when the lock changes (`make lock` refreshes it).
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./

# Then the project itself (dependencies are already installed).
COPY api/ api/
COPY cms/ cms/
COPY web/ web/
COPY newsroom/ newsroom/
RUN pip install --no-cache-dir --no-deps . \
    && rm -rf build *.egg-info

# Content files for the one-shot `newsroom fixtures load fixtures` service.
COPY fixtures/ fixtures/

# Only the embedded store's data directory (used without MONGODB_URI) is writable.
RUN mkdir .newsroom && chown newsroom:newsroom .newsroom

USER newsroom

EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

CMD ["newsroom", "serve"]
