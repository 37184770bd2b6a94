"""Settings of a service, read once from the environment (prefix QMS_)."""

from urllib.parse import parse_qs, unquote, urlparse

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="QMS_", extra="ignore")

    database_url: str = Field(
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        description="PostgreSQL URL; a unix socket is given as ?host=/path.",
    )
    kafka_bootstrap: str = "127.0.0.1:9092"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    jwt_issuer: str = "http://127.0.0.1:8000/auth"
    jwt_audience: str = "e-iso"
    jwks_url: str = "http://127.0.0.1:8000/auth/jwks.json"
    dev_auth: bool = Field(
        default=False, description="Serve a development token issuer (never in production)."
    )
    dev_signing_key_file: str = Field(
        default="", description="PEM file of the development issuer's key."
    )
    service_token: str = Field(
        default="", description="Bearer token this service presents to others."
    )
    topic_partitions: int = 4
    topic_replication: int = 1


def postgres_params(url: str) -> dict[str, str]:
    """Split a PostgreSQL URL into host, port, user, password and database name."""
    parsed = urlparse(url)
    query = parse_qs(parsed.query)
    host = query.get("host", [parsed.hostname or "127.0.0.1"])[0]
    return {
        "host": unquote(host),
        "port": str(parsed.port or int(query.get("port", ["5432"])[0])),
        "user": unquote(parsed.username or "postgres"),
        "password": unquote(parsed.password or ""),
        "dbname": (parsed.path or "/postgres").lstrip("/") or "postgres",
    }
