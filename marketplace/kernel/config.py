"""Settings from the environment (prefix INSATSTORGET_); built only by create_app and the CLI."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_INSTANCE = Path.cwd() / "instance"
# Signs cookies (and derives the field key) outside production when no secret key is set.
DEVELOPMENT_SECRET_KEY = "development-only-insecure-key"


# The shipped retention decision is a placeholder: erasures name the decision they were made
# under (marketplace/retention_jobs.py), so production must name the city's real one.
DEMO_RETENTION_DECISION = "Stockholms stad, socialnämndens gallringsbeslut (demo: ange diarienummer)"


class ConfigurationError(RuntimeError):
    """The service cannot start with these settings; the message says how to fix it."""


class Settings(BaseSettings):
    """Every setting the service reads. The README lists them with their defaults."""

    model_config = SettingsConfigDict(env_prefix="INSATSTORGET_", extra="ignore")

    env: str = Field("development", description="development | production | test")
    instance_path: Path = DEFAULT_INSTANCE
    database_url: str | None = None
    secret_key: str | None = None
    field_key: str | None = Field(
        None, description="Key for the TOTP secrets at rest (marketplace/field_crypto.py); without it one is "
                          "derived from the secret key")
    field_keys_old: str = Field(
        "", description="Earlier field keys (or secret keys), comma-separated: they still decrypt until "
                        "`insatstorget rotate-field-key` has re-encrypted everything with the current key")
    now: datetime | None = Field(None, description="Freeze the clock (ISO timestamp); demos and tests only")
    timezone: str = "Europe/Stockholm"
    export_dir: Path | None = None
    document_dir: Path | None = Field(
        None, description="Where documents uploaded to bookings are kept, one file per document named by its id "
                          "(default <instance>/documents); back it up with the database")
    hold_days: int = Field(10, ge=1, le=90)
    token_hours: int = Field(8, ge=1, le=24 * 30)
    api_token_cache_seconds: float = Field(
        5.0, ge=0, le=60,
        description="How long a worker reuses a bearer token's checked actor; 0 checks the database on every "
                    "request. Revocation or deactivation done in another process takes effect within this time")
    session_hours: int = Field(10, ge=1, le=24 * 7)
    login_max_failures: int = Field(10, ge=1)
    login_window_minutes: int = Field(10, ge=1)
    trusted_proxy_hops: int = Field(
        0, ge=0, le=10,
        description="How many proxies in front of the service append to X-Forwarded-For/-Proto (Werkzeug's "
                    "ProxyFix counting); their headers give the client address for the sign-in throttle and the "
                    "audit log. 0 trusts no header: set it only behind a proxy that overwrites them")
    billing_close_day: int = Field(5, ge=1, le=28)
    retention_months: int = Field(12, ge=1)
    retention_decision: str = Field(
        DEMO_RETENTION_DECISION, description="The retention decision (gallringsbeslut, with its diary number) that "
                                             "erasures are recorded under; production refuses the demo placeholder")
    next_step_name: str = "Jobbtorg"
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "insatstorget@example.stockholm.se"
    base_url: str = "http://127.0.0.1:5000"
    scheduler_in_process: bool = True
    db_pool_size: int = Field(5, ge=1)
    db_lock_timeout_ms: int = Field(15_000, ge=50, le=600_000, description="How long a request waits for a database lock before 503")
    log_level: str = "INFO"
    # Single sign-on with the city's OpenID provider (marketplace/auth/oidc.py); off while the issuer is unset.
    oidc_issuer: str | None = Field(None, description="The OpenID provider's issuer URL; discovery reads "
                                                      "<issuer>/.well-known/openid-configuration")
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_scopes: str = "openid email profile"
    oidc_email_claim: str = Field("email", description="The ID-token claim users are matched by (their e-mail)")
    oidc_claim_map: Path | None = Field(
        None, description="TOML file mapping a claim's values (e.g. groups) to roles and organisation")
    oidc_jit: bool = Field(False, description="Create an unknown user at first sign-in from the claim map")
    oidc_mfa_claim: str = Field("amr", description="amr or acr: the claim that says the provider did multi-factor")
    oidc_mfa_values: str = Field("mfa,otp,hwk,swk,sms", description="Comma-separated values of that claim that "
                                                                     "count as multi-factor")
    password_login: bool = Field(True, description="false turns local passwords off (sign-in page and API)")
    # Test-only: lets the race test prove that without the programme lock it overbooks.
    unsafe_disable_capacity_lock: bool = False

    @field_validator("env")
    @classmethod
    def _known_env(cls, value: str) -> str:
        if value not in {"development", "production", "test"}:
            raise ValueError("must be development, production or test")
        return value

    @property
    def old_field_keys(self) -> list[str]:
        return [key.strip() for key in self.field_keys_old.split(",") if key.strip()]

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def resolved_database_url(self) -> str:
        """The configured URL, or a SQLite file in the instance folder."""
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            return url
        self.instance_path.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.instance_path / 'insatstorget.sqlite3'}"

    def resolved_document_dir(self) -> Path:
        """The folder of uploaded booking documents (INSATSTORGET_DOCUMENT_DIR, else <instance>/documents)."""
        return Path(self.document_dir) if self.document_dir else self.instance_path / "documents"

    def check_startable(self) -> None:
        """Refuse to start in production without the settings that keep it safe."""
        if self.is_production and not self.secret_key:
            raise ConfigurationError(
                "INSATSTORGET_SECRET_KEY is not set. In production the service refuses to start "
                "without a secret key: set it to a long random value, e.g. "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`."
            )
        if self.is_production and self.now is not None:
            raise ConfigurationError("INSATSTORGET_NOW freezes the clock and is not allowed in production.")
        if not self.password_login and not self.oidc_enabled:
            raise ConfigurationError(
                "INSATSTORGET_PASSWORD_LOGIN=false needs single sign-on: set INSATSTORGET_OIDC_ISSUER, "
                "INSATSTORGET_OIDC_CLIENT_ID and INSATSTORGET_OIDC_CLIENT_SECRET, or nobody can sign in.")
        decision = self.retention_decision.strip()
        if self.is_production and (not decision or decision == DEMO_RETENTION_DECISION
                                   or "ange diarienummer" in decision.lower()):
            raise ConfigurationError(
                "INSATSTORGET_RETENTION_DECISION is the demo placeholder. In production the service refuses to "
                "start until it names the city's real retention decision (gallringsbeslut) with its diary number, "
                "e.g. 'Socialnämndens gallringsbeslut 2026-01-20, dnr SN 2026/123'."
            )
