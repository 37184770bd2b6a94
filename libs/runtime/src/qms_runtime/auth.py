"""Bearer-token authentication: JWT verified against a JWKS, mapped to a Principal.

The principal and its claims live in `qms_runtime.principal` (no I/O); this module does the
verification. A development issuer signs tokens for local runs only.
"""

import asyncio
import time
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx
from cachetools import TTLCache
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import ECKey, KeySet

from qms_runtime.errors import NotAuthenticated
from qms_runtime.principal import Principal, principal_from_claims

__all__ = ["DevIssuer", "Principal", "TokenVerifier", "bearer_token"]

_ALGORITHMS = ["ES256", "RS256"]
VERIFIED_TOKEN_SECONDS = 60


class TokenVerifier:
    """Verifies signature, issuer, audience and expiry; refetches the JWKS on an unknown key id."""

    def __init__(self, jwks_url: str, issuer: str, audience: str) -> None:
        self._jwks_url = jwks_url
        self._registry = jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            sub={"essential": True},
        )
        self._keys: KeySet | None = None
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()
        # A client sends the same token with every request: verify its signature once a minute,
        # not every time (about a tenth of a command's CPU). Expiry is checked on every use.
        self._verified: TTLCache[str, tuple[Principal, float]] = TTLCache(
            maxsize=4096, ttl=VERIFIED_TOKEN_SECONDS
        )

    async def _key_set(self, refresh: bool) -> KeySet:
        async with self._lock:
            # Rate-limit refetches so that forged key ids cannot hammer the issuer.
            stale = refresh and time.monotonic() - self._fetched_at > 5
            if self._keys is None or stale:
                async with httpx.AsyncClient(timeout=5) as client:
                    response = await client.get(self._jwks_url)
                    response.raise_for_status()
                self._keys = KeySet.import_key_set(response.json())
                self._fetched_at = time.monotonic()
            return self._keys

    async def verify(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is not None and known[1] > time.time():
            return known[0]
        try:
            try:
                decoded = jwt.decode(token, await self._key_set(False), algorithms=_ALGORITHMS)
            except InvalidKeyIdError:
                decoded = jwt.decode(token, await self._key_set(True), algorithms=_ALGORITHMS)
            self._registry.validate(decoded.claims)
        except (JoseError, ValueError) as error:
            raise NotAuthenticated(f"Token không hợp lệ: {error}") from None
        except httpx.HTTPError:
            raise NotAuthenticated("Không lấy được khóa xác thực (JWKS)") from None
        principal = principal_from_claims(decoded.claims)
        self._verified[token] = (principal, float(decoded.claims["exp"]))
        return principal


def bearer_token(authorization: str | None) -> str:
    if not authorization or not authorization.lower().startswith("bearer "):
        raise NotAuthenticated("Thiếu token (Authorization: Bearer …)")
    return authorization[7:].strip()


class DevIssuer:
    """A local OIDC-like issuer: signs tokens with one EC key and serves its JWKS."""

    def __init__(self, issuer: str, audience: str, key_file: str = "") -> None:
        self.issuer = issuer
        self.audience = audience
        self._key = self._load_or_create(Path(key_file)) if key_file else self._new_key()

    @staticmethod
    def _new_key() -> ECKey:
        return ECKey.generate_key("P-256", parameters={"kid": uuid.uuid4().hex[:16]})

    @classmethod
    def _load_or_create(cls, path: Path) -> ECKey:
        if path.exists():
            key = ECKey.import_key(path.read_bytes())
            return ECKey.import_key(key.as_dict(private=True) | {"kid": key.thumbprint()[:16]})
        key = cls._new_key()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(key.as_pem(private=True))
        path.chmod(0o600)
        return ECKey.import_key(key.as_dict(private=True) | {"kid": key.thumbprint()[:16]})

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self._key.as_dict(private=False) | {"use": "sig", "alg": "ES256"}]}

    def issue(
        self,
        sub: str,
        name: str,
        units: Iterable[str],
        roles: Iterable[str],
        department_id: str | None = None,
        lifetime_seconds: int = 8 * 3600,
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": sub,
            "name": name,
            "units": list(units),
            "roles": list(roles),
            "iat": now,
            "exp": now + lifetime_seconds,
        }
        if department_id:
            claims["department_id"] = department_id
        return jwt.encode({"alg": "ES256", "kid": self._key.kid}, claims, self._key)
