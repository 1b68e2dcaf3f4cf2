"""TokenClient: IssueToken, Refresh, Introspect and Revoke with typed errors."""
from __future__ import annotations

import base64
import dataclasses
from typing import Optional, Sequence

import grpc

from tokend.v1 import errors_pb2, token_pb2, token_pb2_grpc

_DETAILS_KEY = "grpc-status-details-bin"
_OAUTH_ERROR_TYPE = "type.googleapis.com/tokend.v1.OAuthError"
_UNRESERVED = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._*")


class TokendError(Exception):
    """A failed tokend call: the gRPC status and the exact RFC 6749 §5.2 code.

    `error` is "invalid_client", "invalid_grant", ... or "" when the server sent
    no OAuth error (e.g. the connection failed: code UNAVAILABLE).
    """

    def __init__(self, code: grpc.StatusCode, error: str, description: str):
        super().__init__(f"{error or code.name}: {description}")
        self.code = code
        self.error = error
        self.description = description

    @classmethod
    def from_rpc_error(cls, e: grpc.RpcError) -> "TokendError":
        code = e.code() if hasattr(e, "code") else grpc.StatusCode.UNKNOWN
        description = e.details() if hasattr(e, "details") else str(e)
        error = ""
        trailers = e.trailing_metadata() if hasattr(e, "trailing_metadata") else None
        for key, value in trailers or ():
            if key != _DETAILS_KEY:
                continue
            status = errors_pb2.RpcStatus.FromString(value)
            for any_ in status.details:
                if any_.type_url == _OAUTH_ERROR_TYPE:
                    oauth = errors_pb2.OAuthError.FromString(any_.value)
                    error, description = oauth.error, oauth.error_description
        return cls(code, error, description or "")


@dataclasses.dataclass(frozen=True)
class Token:
    """An issued token (RFC 6749 §5.1)."""

    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str
    scope: str

    @property
    def scopes(self) -> list[str]:
        return self.scope.split()


@dataclasses.dataclass(frozen=True)
class Introspection:
    """RFC 7662 §2.2; an expired, revoked or unknown token has only active=False."""

    active: bool
    scope: str = ""
    client_id: str = ""
    username: str = ""
    token_type: str = ""
    exp: int = 0
    iat: int = 0
    sub: str = ""
    aud: str = ""
    iss: str = ""
    jti: str = ""

    @property
    def scopes(self) -> list[str]:
        return self.scope.split()


def form_encode(value: str) -> str:
    """application/x-www-form-urlencoded, as RFC 6749 §2.3.1 asks for Basic credentials."""
    out = []
    for byte in value.encode("utf-8"):
        if byte in _UNRESERVED:
            out.append(chr(byte))
        elif byte == 0x20:
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def basic_authorization(client_id: str, client_secret: str) -> str:
    """The `authorization` metadata value for client authentication."""
    raw = f"{form_encode(client_id)}:{form_encode(client_secret)}".encode("ascii")
    return "Basic " + base64.b64encode(raw).decode("ascii")


def _token(resp) -> Token:
    return Token(resp.access_token, resp.token_type, resp.expires_in, resp.refresh_token, resp.scope)


class TokenClient:
    """tokend's TokenService for one OAuth client.

    Every method raises TokendError on failure. `target` is "host:port";
    pass `credentials` (grpc.ssl_channel_credentials(...)) for TLS, or a ready
    `channel`. Thread-safe; close() (or `with`) releases the channel.
    """

    def __init__(self, target: str, client_id: str, client_secret: str, *,
                 credentials: Optional[grpc.ChannelCredentials] = None,
                 channel: Optional[grpc.Channel] = None, timeout: float = 10.0):
        self.client_id = client_id
        self._owns_channel = channel is None
        if channel is None:
            channel = (grpc.secure_channel(target, credentials) if credentials
                       else grpc.insecure_channel(target))
        self._channel = channel
        self._stub = token_pb2_grpc.TokenServiceStub(channel)
        self._metadata = (("authorization", basic_authorization(client_id, client_secret)),)
        self._timeout = timeout

    def _call(self, method, request):
        try:
            return method(request, metadata=self._metadata, timeout=self._timeout)
        except grpc.RpcError as e:
            raise TokendError.from_rpc_error(e) from None

    def issue(self, scopes: Sequence[str] = (), *, username: Optional[str] = None,
              password: Optional[str] = None, audience: str = "") -> Token:
        """client_credentials (RFC 6749 §4.4), or password (§4.3) when username is given."""
        request = token_pb2.IssueTokenRequest(scopes=list(scopes), audience=audience)
        if username is None:
            request.client_credentials.SetInParent()
        else:
            request.password.username = username
            request.password.password = password or ""
        return _token(self._call(self._stub.IssueToken, request))

    def refresh(self, refresh_token: str, scopes: Sequence[str] = ()) -> Token:
        """RFC 6749 §6: the refresh token is spent; the answer carries its successor."""
        request = token_pb2.RefreshRequest(refresh_token=refresh_token, scopes=list(scopes))
        return _token(self._call(self._stub.Refresh, request))

    def introspect(self, token: str, token_type_hint: str = "") -> Introspection:
        """RFC 7662; an inactive token is an answer (active=False), not an error."""
        request = token_pb2.IntrospectRequest(token=token, token_type_hint=token_type_hint)
        r = self._call(self._stub.Introspect, request)
        if not r.active:
            return Introspection(active=False)
        return Introspection(True, r.scope, r.client_id, r.username, r.token_type, r.exp, r.iat,
                             r.sub, r.aud, r.iss, r.jti)

    def revoke(self, token: str, token_type_hint: str = "") -> None:
        """RFC 7009; an unknown token is not an error."""
        self._call(self._stub.Revoke, token_pb2.RevokeRequest(token=token, token_type_hint=token_type_hint))

    def close(self) -> None:
        if self._owns_channel:
            self._channel.close()

    def __enter__(self) -> "TokenClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
