"""Running Alembic programmatically, so `serve`, `migrate` and the tests share one code path."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory


def migrations_dir() -> Path:
    return Path(str(resources.files("referral_service").joinpath("migrations")))


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
