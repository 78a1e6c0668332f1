"""Configuration from environment variables and `.env` (pydantic-settings)."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_prefix="", extra="ignore")

    motsbot_db: str = "./motsbot.sqlite3"
    """SQLite path or SQLAlchemy URL of the database."""
    motsbot_programme: str | None = None
    """A programme file imported at start (pretalx schedule.json, iCal or CSV)."""
    motsbot_faq: str | None = None
    """An FAQ file imported at start."""
    motsbot_log_level: str = "INFO"
    motsbot_public_url: str | None = None
    """Public address of the admin (behind its TLS proxy), e.g. https://motsbot.example.org:
    residents' check-in QR codes then open its check-in page."""

    telegram_token: SecretStr | None = None
    telegram_api_url: str | None = None
    """Bot API base URL (for tests against a fake server); Telegram's own when unset."""
    telegram_webhook_url: str | None = None
    """Public HTTPS URL for webhook mode; long polling when unset."""
    telegram_webhook_secret: SecretStr | None = None

    matrix_homeserver: str | None = None
    matrix_user: str | None = None
    matrix_password: SecretStr | None = None
    matrix_store_path: str = "./matrix-store"
    matrix_pickle_key: SecretStr | None = None

    scheduler_enabled: bool = True
    """Reminders, evaluation polls, offers and broadcasts (the outbox); off for a read-only bot."""
    scheduler_telegram_per_second: float = 25.0
    """The scheduler's Telegram rate; the rest up to Telegram's 30/s is kept for replies."""
    telegram_paid_broadcasts: bool = False
    """Allows up to 1000 messages/s (Telegram charges Stars; needs 10,000 monthly users)."""
    scheduler_matrix_per_second: float = 10.0

    motsbot_retention_days: int = 30
    """Days after the festival's last day until people, signups and dialogue state are purged
    (by the scheduler, or `motsbot purge`); counts and anonymous comments are kept."""
