"""Settings, read once from the environment (and an optional `.env`)."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # When unset the CLI starts an embedded PostgreSQL under data_dir.
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    data_dir: Path = Field(default=Path(".referral-data"), validation_alias="REFERRAL_DATA_DIR")
    # Accepted as an admin key so an operator can bootstrap everything else through the API.
    admin_key: SecretStr | None = Field(default=None, validation_alias="REFERRAL_ADMIN_KEY")

    max_body_bytes: int = Field(default=1024 * 1024, validation_alias="REFERRAL_MAX_BODY_BYTES")
    idempotency_ttl_hours: int = Field(default=48, validation_alias="REFERRAL_IDEMPOTENCY_TTL_HOURS")
    db_pool_size: int = Field(default=10, validation_alias="REFERRAL_DB_POOL_SIZE")
    default_due_working_days: int = Field(default=14, validation_alias="REFERRAL_DEFAULT_DUE_WORKING_DAYS")
    # Longest time an API key lookup is reused without asking the database again. Changes to
    # api_keys reach every process at once through LISTEN/NOTIFY; this age only bounds the damage
    # if a notification were missed. 0 turns the cache (and its listener connection) off.
    key_cache_seconds: float = Field(default=30.0, ge=0, validation_alias="REFERRAL_KEY_CACHE_SECONDS")

    webhook_allow_http: bool = Field(default=False, validation_alias="REFERRAL_WEBHOOK_ALLOW_HTTP")
    webhook_allowed_networks: str = Field(default="", validation_alias="REFERRAL_WEBHOOK_ALLOWED_NETWORKS")
    inbound_tolerance_seconds: int = Field(default=300, validation_alias="REFERRAL_INBOUND_TOLERANCE_SECONDS")

    # Outbound webhook delivery. Defaults follow Svix; tests shorten them.
    webhook_timeout_seconds: float = Field(default=15.0, gt=0, validation_alias="REFERRAL_WEBHOOK_TIMEOUT_SECONDS")
    # Delay before each attempt (the first is "now"); its length is the number of attempts.
    webhook_retry_schedule: str = Field(
        default="0,5,300,1800,7200,18000,36000,36000", validation_alias="REFERRAL_WEBHOOK_RETRY_SCHEDULE"
    )
    webhook_retry_jitter: float = Field(default=0.2, ge=0, lt=1, validation_alias="REFERRAL_WEBHOOK_RETRY_JITTER")
    # Longest Retry-After we honour; a receiver cannot park a delivery for days.
    webhook_retry_after_max_seconds: float = Field(default=36000, ge=0, validation_alias="REFERRAL_WEBHOOK_RETRY_AFTER_MAX_SECONDS")
    # A claimed delivery whose worker died becomes claimable again after this; must exceed the timeout.
    webhook_lease_seconds: float = Field(default=60.0, gt=0, validation_alias="REFERRAL_WEBHOOK_LEASE_SECONDS")
    webhook_poll_seconds: float = Field(default=0.2, gt=0, validation_alias="REFERRAL_WEBHOOK_POLL_SECONDS")
    # Sends one worker has in flight at once, over all endpoints...
    webhook_concurrency: int = Field(default=32, ge=1, le=1000, validation_alias="REFERRAL_WEBHOOK_CONCURRENCY")
    # ...and to any one endpoint (also the size of the worker's connection pool for it): a burst to one
    # endpoint cannot take every slot, and small pools cost the HTTP client less per request.
    webhook_endpoint_concurrency: int = Field(
        default=4, ge=1, le=1000, validation_alias="REFERRAL_WEBHOOK_ENDPOINT_CONCURRENCY"
    )
    # On SIGTERM a worker stops claiming and gives the sends in flight this long to finish; the leases
    # of those still running are then handed back, so another worker resends them at once.
    webhook_stop_grace_seconds: float = Field(default=3.0, ge=0, validation_alias="REFERRAL_WEBHOOK_STOP_GRACE_SECONDS")
    # An endpoint that has failed without a single success for this long is disabled (5 days).
    webhook_disable_after_seconds: float = Field(default=5 * 24 * 3600, gt=0, validation_alias="REFERRAL_WEBHOOK_DISABLE_AFTER_SECONDS")
    webhook_max_endpoints_per_owner: int = Field(default=50, ge=1, validation_alias="REFERRAL_WEBHOOK_MAX_ENDPOINTS_PER_OWNER")

    @field_validator("database_url")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return value or None


# Set by `serve --workers N` for the API processes it starts: whether each runs the background jobs.
IN_PROCESS_JOBS_ENV = "REFERRAL_IN_PROCESS_JOBS"


@lru_cache
def get_settings() -> Settings:
    return Settings()


def to_async_url(url: str) -> str:
    """Accept the plain `postgresql://` URLs operators have and give SQLAlchemy its asyncpg form."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://", "postgresql+psycopg://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix):]
    raise ValueError("DATABASE_URL must be a postgresql:// URL")
