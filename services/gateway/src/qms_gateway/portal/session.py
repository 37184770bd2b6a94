"""Who is signed in to the portal: the same JWT the API takes, kept in an HttpOnly cookie.

Signing in is a page of its own (`/dang-nhap`): until single sign-on lands it is the
development sign-in; the OIDC authorization-code flow will replace that page only, and still
end by setting this cookie.
"""

from dataclasses import dataclass, field
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Redirect

from qms_runtime.auth import TokenVerifier
from qms_runtime.errors import NotAuthenticated
from qms_runtime.principal import Principal

SESSION_COOKIE = "qms_session"
SESSION_SECONDS = 8 * 3600


@dataclass(frozen=True)
class Session:
    principal: Principal
    #: The bearer token the portal forwards with the user's commands.
    token: str = field(repr=False)


class SignInRequired(Exception):
    """A page needs a signed-in user; the portal answers with the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


async def provide_session(request: Request[Any, Any, Any]) -> Session | None:
    """The signed-in user, or None (no cookie, or a token expired or no longer valid)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    verifier: TokenVerifier = request.app.state.verifier
    try:
        return Session(await verifier.verify(token), token)
    except NotAuthenticated:
        return None


def signed_in(request: Request[Any, Any, Any], session: Session | None) -> Session:
    if session is None:
        query = f"?{request.url.query}" if request.url.query else ""
        raise SignInRequired(request.url.path + query)
    return session


def _secure(request: Request[Any, Any, Any]) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def session_cookie(request: Request[Any, Any, Any], token: str | None) -> Cookie:
    """The cookie that signs in (a token) or out (None): HttpOnly, SameSite=Lax, Secure on TLS."""
    return Cookie(
        key=SESSION_COOKIE,
        value=token or "",
        max_age=SESSION_SECONDS if token else 0,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )


def safe_next(path: str | None) -> str:
    """Where to go after signing in: only a path of this site, never another host."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


def redirect_with_session(request: Request[Any, Any, Any], token: str | None, to: str) -> Redirect:
    """See other page `to`, signed in with `token`, or signed out (None)."""
    return Redirect(to, status_code=303, cookies=[session_cookie(request, token)])
