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


def known_revisions() -> set[str]:
    """Every revision this version ships."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def schema_serves(database: set[str] | None, heads: set[str], known: set[str]) -> bool:
    """Whether a process of this version may serve a database whose schema is at `database`.

    Yes at this version's heads. Yes, too, at revisions this version does not know: a later release
    migrated the database, and each migration keeps the release before it working, so during a
    rolling upgrade (the migration first, then the new processes) the old processes stay ready.
    No when the database is behind (migrations pending), has no revision, or could not be read.
    """
    if not database:
        return False
    return database == heads or not (database & known)
