"""Running Alembic programmatically, so `serve`, `migrate` and the tests share one code path."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory


def migrations_dir() -> Path:
    """The Alembic scripts: `migrations/` of the source checkout this code runs from, else the copy the
    wheel ships as `referral_service.migrations`."""
    checkout = Path(__file__).resolve().parents[3]
    if (checkout / "migrations" / "env.py").is_file() and (checkout / "pyproject.toml").is_file():
        return checkout / "migrations"
    return Path(str(resources.files("referral_service.migrations")))


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_to_head(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "heads")


def head_revisions() -> set[str]:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return set(ScriptDirectory.from_config(config).get_heads())
