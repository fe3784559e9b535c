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
    parse_timeout_s: float = 60.0  # wall clock per document (a multi-page scan needs OCR time)
    parse_cpu_s: int = 15  # CPU seconds per document (RLIMIT_CPU)
    parse_memory_mb: int = 1024  # address space a parse may add to the warm parser (RLIMIT_AS)
    use_pretrained_nlp: bool = True
    auto_accept_precision: float = 0.98
    audit_sample_rate: float = 0.05
    # sign-in: "local" accounts (argon2), "oidc" (st.login, accounts matched by e-mail), or
    # "none" = single-user mode, signed in as the local admin; refused unless bound to localhost
    auth: str = "local"
    retention_days: int = 180  # a candidate's data is purged this long after their last activity
    pseudonym_secret: str = ""  # key of pseudonymised exports; "" = a random one in the data dir
    ocr: str = "auto"  # "auto": OCR image-only PDF pages when tesseract is installed; "off"
    ocr_languages: str = ""  # tesseract packs, e.g. "eng+deu"; "" = eng + installed deu/fra/spa/nld
    ocr_dpi: int = 300  # render resolution for OCR
    ocr_page_timeout_s: float = 30.0  # tesseract time limit per page
    embedded_workers: int = 2  # parse workers the app starts itself; 0 = external `cvassist worker`
    job_lease_seconds: float = 300.0  # a claimed parse job's lease (heartbeats extend it)

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
