"""One pydantic-settings `Settings` for the whole product (env prefix CVASSIST_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from platformdirs import user_data_dir
from pydantic_settings import BaseSettings, SettingsConfigDict

DATA_DIR = Path(user_data_dir("cvassist", appauthor=False))


class Settings(BaseSettings):
    """Runtime configuration; every value can be set as CVASSIST_<NAME> in the environment."""

    model_config = SettingsConfigDict(env_prefix="CVASSIST_", env_file=".env", extra="ignore")

    data_dir: Path = DATA_DIR
    database_url: str = ""
    max_file_mb: float = 10.0
    max_pages: int = 20
    use_pretrained_nlp: bool = True
    auto_accept_precision: float = 0.98
    audit_sample_rate: float = 0.05

    @property
    def effective_database_url(self) -> str:
        """The configured URL, or a SQLite file under the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'cvassist.sqlite'}"

    @property
    def max_file_bytes(self) -> int:
        """Upload size limit in bytes."""
        return int(self.max_file_mb * 1024 * 1024)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once from the environment)."""
    return Settings()
