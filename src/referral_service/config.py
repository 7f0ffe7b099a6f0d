"""Settings, read once from the environment (and an optional `.env`)."""

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from referral_service.config_transfers import TransferSettings


class Settings(TransferSettings):
    """Every setting, read from the environment (a `.env` file in the working directory is read too).

    Each field's `description` is its documentation: `scripts/generate_config_doc.py` writes
    docs/configuration.md from this class, and a test fails when that file is out of date. Groups of
    settings kept in files of their own are its base classes (config_transfers.py).
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None,
        validation_alias="DATABASE_URL",
        description="PostgreSQL to use. Plain `postgresql://user:pass@host:5432/db` is accepted (also `postgres://`, "
        "`postgresql+asyncpg://`). Unset (or empty): the CLI starts the embedded PostgreSQL under `REFERRAL_DATA_DIR` "
        "when the `embedded` extra is installed (`dev.py` installs it) and otherwise exits with a message; the Docker "
        "image, which has no embedded PostgreSQL, refuses to start.",
    )
    data_dir: Path = Field(
        default=Path(".referral-data"),
        validation_alias="REFERRAL_DATA_DIR",
        description="Where the embedded PostgreSQL keeps its data (`<dir>/pg`). Relative to the working directory "
        "(`dev.py` runs from the repository root).",
    )
    admin_key: SecretStr | None = Field(
        default=None,
        validation_alias="REFERRAL_ADMIN_KEY",
        description="A bootstrap admin key (at most 200 characters), accepted in addition to issued keys, so an "
        "operator can create the first keys through `POST /v1/api-keys`.",
    )

    max_body_bytes: int = Field(
        default=1024 * 1024,
        validation_alias="REFERRAL_MAX_BODY_BYTES",
        description="Larger request bodies (inbound pushes included) are refused with 413 before parsing.",
    )
    retention_days: int | None = Field(
        default=None,
        ge=1,
        validation_alias="REFERRAL_RETENTION_DAYS",
        description="Erase a complainant's personal data (identity, subject, description, referral instructions and "
        "response summaries, and every stored body carrying them) once every referral of the complaint has been "
        "closed for this many days; figures and reports are kept. Unset: keep everything. See docs/administration.md.",
    )
    max_upload_bytes: int = Field(
        default=20 * 1024 * 1024,
        gt=0,
        validation_alias="REFERRAL_MAX_UPLOAD_BYTES",
        description="Largest attachment (bytes) an upload may send; the upload is refused with 413 as soon as it "
        "passes this, without reading the rest. Default 20 MiB.",
    )
    blob_store: str = Field(
        default="postgresql",
        validation_alias="REFERRAL_BLOB_STORE",
        description="Where attachment bytes are kept: `postgresql` (the service's own database, in 256 KiB rows) or "
        "`s3://bucket/prefix` for S3-compatible storage (then set `REFERRAL_S3_ENDPOINT_URL` and the keys).",
    )
    s3_endpoint_url: str | None = Field(
        default=None,
        validation_alias="REFERRAL_S3_ENDPOINT_URL",
        description="The S3-compatible service's base URL (path-style requests), e.g. `https://s3.example.go.id`.",
    )
    s3_region: str = Field(
        default="us-east-1",
        validation_alias="REFERRAL_S3_REGION",
        description="The region the S3 requests are signed for.",
    )
    s3_access_key_id: SecretStr | None = Field(
        default=None,
        validation_alias="REFERRAL_S3_ACCESS_KEY_ID",
        description="The S3 access key id.",
    )
    s3_secret_access_key: SecretStr | None = Field(
        default=None,
        validation_alias="REFERRAL_S3_SECRET_ACCESS_KEY",
        description="The S3 secret access key.",
    )
    pending_blob_minutes: float = Field(
        default=60,
        gt=0,
        validation_alias="REFERRAL_PENDING_BLOB_MINUTES",
        description="A stored attachment blob whose database row never committed (a crash mid-upload) is deleted by "
        "the worker once it is this many minutes old.",
    )
    idempotency_ttl_hours: int = Field(
        default=48,
        validation_alias="REFERRAL_IDEMPOTENCY_TTL_HOURS",
        description="How long (hours) an `Idempotency-Key` is remembered.",
    )
    db_pool_size: int = Field(
        default=20,
        validation_alias="REFERRAL_DB_POOL_SIZE",
        description="Database connection pool size per API process: the one pool every request, page and "
        "in-process job borrows from. An API process opens at most this + 3 connections (the pool, and three of "
        "its own: the key-cache listener, the event-feed listener and the rate-limit leases).",
    )
    default_due_working_days: int = Field(
        default=14,
        validation_alias="REFERRAL_DEFAULT_DUE_WORKING_DAYS",
        description="Deadline (working days) when neither the forward or follow-up request nor the agency names one.",
    )
    due_soon_working_days: int = Field(
        default=2,
        ge=0,
        le=30,
        validation_alias="REFERRAL_DUE_SOON_WORKING_DAYS",
        description="A forwarded referral is *due soon* while its deadline has not passed and at most this many "
        "working days remain (`working_days_remaining <= N`; 0 is the due day itself). The one meaning of due soon: "
        "the worker records `referral.due_soon` (once per deadline) at that point, and the web view's deadlines page "
        "lists the same referrals as due soon. See docs/deadlines.md.",
    )
    public_base_url: str | None = Field(
        default=None,
        validation_alias="REFERRAL_PUBLIC_BASE_URL",
        description="The address people and systems reach the service at, as the reverse proxy in front of it "
        "serves it, e.g. `https://rujukan.ombudsman.go.id`. The web pages' cookies are `Secure` (sent over HTTPS "
        "only) unless it is an `http://` address, whatever `Host` a request names. Unset: HTTPS is assumed; "
        "`serve --demo` (and so `python3 dev.py serve`) then uses `http://<host>:<port>` for development.",
    )
    ui_session_hours: float = Field(
        default=8.0,
        gt=0,
        le=24 * 30,
        validation_alias="REFERRAL_UI_SESSION_HOURS",
        description="How long (hours) a sign-in to the web pages under `/ui/` lasts before the key must be entered "
        "again. Revoking the key ends its sessions at once.",
    )
    # Changes to api_keys reach every process at once through LISTEN/NOTIFY; this age only bounds
    # the damage if a notification were missed.
    key_cache_seconds: float = Field(
        default=30.0,
        ge=0,
        validation_alias="REFERRAL_KEY_CACHE_SECONDS",
        description="Longest time (seconds) an API process reuses an API key lookup, and its copy of the hashes of "
        "the keys not revoked (which refuses unknown keys without a query), from memory. Changes to keys reach every "
        "process at once through `LISTEN/NOTIFY` on one extra connection per process; this age is only the safety "
        "net. `0` turns the cache and that connection off (every request reads its key, and an address over the "
        "failed-authentication limit is refused before its key is looked at).",
    )

    log_format: Literal["auto", "json", "text"] = Field(
        default="auto",
        validation_alias="REFERRAL_LOG_FORMAT",
        description="Log lines as one JSON object each (`json`), or text for people (`text`); `auto` is JSON unless "
        "stderr is a terminal.",
    )
    log_level: Literal["critical", "error", "warning", "info", "debug"] = Field(
        default="info",
        validation_alias="REFERRAL_LOG_LEVEL",
        description="The lowest level logged (`serve --log-level` overrides it). Per-delivery lines are at `debug`.",
    )
    shutdown_grace_seconds: int = Field(
        default=30,
        ge=1,
        le=3600,
        validation_alias="REFERRAL_SHUTDOWN_GRACE_SECONDS",
        description="On SIGTERM an API process stops accepting connections and gives the requests in flight this long "
        "(seconds) to finish; any still running then are cancelled. Keep the platform's stop timeout longer (Kubernetes "
        "`terminationGracePeriodSeconds`, compose `stop_grace_period`).",
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        validation_alias="REFERRAL_METRICS_TOKEN",
        description="A bearer token that may read `GET /metrics` and nothing else. Unset: admin keys only.",
    )

    # Rate limits (ratelimit.py): token buckets shared by every API process through PostgreSQL.
    rate_limits_enabled: bool = Field(
        default=True,
        validation_alias="REFERRAL_RATE_LIMITS_ENABLED",
        description="Enforce the rate limits below (429 with `Retry-After` over them; `RateLimit` and "
        "`RateLimit-Policy` headers on limited routes). `false` turns every limit off.",
    )
    rate_limit_admin_per_minute: int = Field(
        default=3000,
        ge=1,
        validation_alias="REFERRAL_RATE_LIMIT_ADMIN_PER_MINUTE",
        description="Requests a minute per admin key (bursts up to this many at once), across all API processes.",
    )
    rate_limit_ombudsman_per_minute: int = Field(
        default=600,
        ge=1,
        validation_alias="REFERRAL_RATE_LIMIT_OMBUDSMAN_PER_MINUTE",
        description="Requests a minute per ombudsman key, across all API processes. A key's own "
        "`api_keys.rate_limit_per_minute` replaces its role's figure.",
    )
    rate_limit_agency_per_minute: int = Field(
        default=600,
        ge=1,
        validation_alias="REFERRAL_RATE_LIMIT_AGENCY_PER_MINUTE",
        description="Requests a minute per agency key, across all API processes.",
    )
    rate_limit_address_per_minute: int = Field(
        default=600,
        ge=1,
        validation_alias="REFERRAL_RATE_LIMIT_ADDRESS_PER_MINUTE",
        description="Requests a minute per source address to the unauthenticated routes that do work "
        "(`/readyz`, `/`, `/docs` and `/redoc` with their assets); `/healthz` is not limited.",
    )
    rate_limit_inbound_per_minute: int = Field(
        default=600,
        ge=1,
        validation_alias="REFERRAL_RATE_LIMIT_INBOUND_PER_MINUTE",
        description="Inbound pushes a minute per agency and source address.",
    )
    rate_limit_auth_failures_per_minute: int = Field(
        default=30,
        ge=1,
        validation_alias="REFERRAL_RATE_LIMIT_AUTH_FAILURES_PER_MINUTE",
        description="Failed authentications (401: missing, unknown or revoked API key; inbound pushes whose "
        "signature does not verify, inbound uploads refused before it verifies) a minute per source address. Over "
        "it, that address gets 429 for every further failure until `Retry-After`; a valid API key still goes "
        "through (see docs/monitoring.md, Rate limits).",
    )
    rate_limit_webhook_manual_per_minute: int = Field(
        default=10,
        ge=1,
        validation_alias="REFERRAL_RATE_LIMIT_WEBHOOK_MANUAL_PER_MINUTE",
        description="Test sends, manual retries and recoveries a minute per webhook endpoint.",
    )
    trusted_proxies: str = Field(
        default="",
        validation_alias="REFERRAL_TRUSTED_PROXIES",
        description="Comma-separated CIDRs of reverse proxies in front of the API. A request from one of them "
        "is counted, by the per-address rate limits, against the right-most `X-Forwarded-For` address that is "
        "not a trusted proxy. Unset: the TCP peer's address (behind a proxy that would be the proxy's, for "
        "every client).",
    )
    rate_limit_lease_fraction: float = Field(
        default=0.05,
        gt=0,
        le=1,
        validation_alias="REFERRAL_RATE_LIMIT_LEASE_FRACTION",
        description="Fraction of a limit an API process takes from the shared bucket at a time (at least 1). "
        "Larger: fewer database writes; smaller: less slack. A burst can exceed a limit by at most "
        "(number of API processes) × this × the limit.",
    )

    webhook_allow_http: bool = Field(
        default=False,
        validation_alias="REFERRAL_WEBHOOK_ALLOW_HTTP",
        description="Allow `http://` webhook URLs (otherwise `https://` only). For development.",
    )
    webhook_allowed_networks: str = Field(
        default="",
        validation_alias="REFERRAL_WEBHOOK_ALLOWED_NETWORKS",
        description="Comma-separated CIDRs webhooks may reach although they are not public (e.g. a partner network "
        "over VPN). Webhooks to private, loopback, link-local and other non-public addresses are refused otherwise.",
    )
    inbound_tolerance_seconds: int = Field(
        default=300,
        validation_alias="REFERRAL_INBOUND_TOLERANCE_SECONDS",
        description="How far (seconds) a signed inbound push's `webhook-timestamp` may be from the server clock.",
    )

    # Outbound webhook delivery. Defaults follow Svix; tests shorten them.
    webhook_timeout_seconds: float = Field(
        default=15.0,
        gt=0,
        validation_alias="REFERRAL_WEBHOOK_TIMEOUT_SECONDS",
        description="How long (seconds) one delivery attempt may take, connection to last byte; slower is a failure.",
    )
    webhook_retry_schedule: str = Field(
        default="0,5,300,1800,7200,18000,36000,36000",
        validation_alias="REFERRAL_WEBHOOK_RETRY_SCHEDULE",
        description="Comma-separated delays (seconds) before each delivery attempt, the first normally `0` (at once); "
        "the number of entries is the number of attempts.",
    )
    webhook_retry_jitter: float = Field(
        default=0.2,
        ge=0,
        lt=1,
        validation_alias="REFERRAL_WEBHOOK_RETRY_JITTER",
        description="Random spread of each retry delay, as a fraction (`0.2` = ±20 %).",
    )
    webhook_retry_after_max_seconds: float = Field(
        default=36000,
        ge=0,
        validation_alias="REFERRAL_WEBHOOK_RETRY_AFTER_MAX_SECONDS",
        description="Longest `Retry-After` (seconds) honoured from a 429 or 503, so a receiver cannot park a "
        "delivery for days.",
    )
    webhook_lease_seconds: float = Field(
        default=60.0,
        gt=0,
        validation_alias="REFERRAL_WEBHOOK_LEASE_SECONDS",
        description="A claimed delivery whose worker died becomes claimable again after this many seconds; must "
        "exceed the timeout.",
    )
    webhook_poll_seconds: float = Field(
        default=0.2,
        gt=0,
        validation_alias="REFERRAL_WEBHOOK_POLL_SECONDS",
        description="How often (seconds) a worker looks for due deliveries when no `NOTIFY` woke it.",
    )
    webhook_concurrency: int = Field(
        default=32,
        ge=1,
        le=1000,
        validation_alias="REFERRAL_WEBHOOK_CONCURRENCY",
        description="Deliveries one worker sends at once (and its HTTP connection limit).",
    )
    webhook_disable_after_seconds: float = Field(
        default=5 * 24 * 3600,
        gt=0,
        validation_alias="REFERRAL_WEBHOOK_DISABLE_AFTER_SECONDS",
        description="An endpoint whose every attempt has failed for this long (seconds; 5 days) is disabled.",
    )
    webhook_max_endpoints_per_owner: int = Field(
        default=50,
        ge=1,
        validation_alias="REFERRAL_WEBHOOK_MAX_ENDPOINTS_PER_OWNER",
        description="Most webhook endpoints per owner scope (the creating key's role with its agency or region).",
    )
    webhook_endpoint_concurrency: int = Field(
        default=4,
        ge=1,
        le=1000,
        validation_alias="REFERRAL_WEBHOOK_ENDPOINT_CONCURRENCY",
        description="Sends one worker has in flight to any one endpoint (also the size of its connection pool for "
        "it): a burst to one endpoint cannot take every slot, and small pools cost the HTTP client less per request.",
    )
    webhook_stop_grace_seconds: float = Field(
        default=3.0,
        ge=0,
        validation_alias="REFERRAL_WEBHOOK_STOP_GRACE_SECONDS",
        description="On SIGTERM a worker stops claiming and gives the sends in flight this long to finish; the leases "
        "of those still running are then handed back, so another worker resends them at once.",
    )

    @field_validator("database_url", "metrics_token", "s3_endpoint_url", "public_base_url")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return value or None

    @field_validator("public_base_url")
    @classmethod
    def _http_or_https(cls, value: str | None) -> str | None:
        if value is not None and not value.lower().startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/") if value is not None else None

    @property
    def cookies_secure(self) -> bool:
        """The web pages' cookies go over HTTPS only, unless the service is published at an http:// address."""
        return not (self.public_base_url or "https://").lower().startswith("http://")

    @field_validator("log_format", "log_level", mode="before")
    @classmethod
    def _lower_case(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


# Set by `serve --workers N` for the API processes it starts: whether each runs the background jobs.
IN_PROCESS_JOBS_ENV = "REFERRAL_IN_PROCESS_JOBS"


@lru_cache
def get_settings() -> Settings:
    return Settings()


def to_async_url(url: str) -> str:
    """Accept the plain `postgresql://` URLs operators have and give SQLAlchemy its asyncpg form."""
    for prefix in (
        "postgresql+asyncpg://",
        "postgresql://",
        "postgres://",
        "postgresql+psycopg://",
        "postgresql+psycopg2://",
    ):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError("DATABASE_URL must be a postgresql:// URL")
