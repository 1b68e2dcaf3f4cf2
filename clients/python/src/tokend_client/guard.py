"""Resource-server side: checks incoming bearer tokens and exposes who called."""
from __future__ import annotations

import contextvars
import dataclasses
import hashlib
import threading
import time
from typing import Callable, Mapping, Optional, Sequence

import grpc

from .client import TokendError


@dataclasses.dataclass(frozen=True)
class Principal:
    """Who a verified token speaks for."""

    subject: str  # the user id for password grants, else the client id
    client_id: str
    username: str
    scopes: tuple[str, ...]
    expires_at: int  # Unix seconds


_current: contextvars.ContextVar[Optional[Principal]] = contextvars.ContextVar("tokend_principal", default=None)


def current_principal() -> Optional[Principal]:
    """The caller of the gRPC handler now running under a BearerGuard."""
    return _current.get()


class IntrospectionVerifier:
    """Verifies opaque tokens through tokend's Introspect, with a short positive cache.

    Only active answers are cached, for `cache_ttl` seconds at most (never past
    the token's exp), so a revoked token is rejected within cache_ttl. `client`
    is a TokenClient whose OAuth client holds the `introspect` permission.
    verify() returns None for an inactive token and raises TokendError when
    tokend cannot answer.
    """

    def __init__(self, client, *, cache_ttl: float = 5.0, max_entries: int = 10000,
                 clock: Callable[[], float] = time.time):
        self._client = client
        self._ttl = cache_ttl
        self._max = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[bytes, tuple[Principal, float]] = {}

    def verify(self, token: str) -> Optional[Principal]:
        key = hashlib.sha256(token.encode("utf-8")).digest()
        now = self._clock()
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and now < hit[1]:
                return hit[0]
        info = self._client.introspect(token)
        if not info.active:
            with self._lock:
                self._cache.pop(key, None)
            return None
        principal = Principal(info.sub or info.client_id, info.client_id, info.username,
                              tuple(info.scopes), info.exp)
        until = min(now + self._ttl, float(info.exp)) if info.exp else now + self._ttl
        with self._lock:
            if len(self._cache) >= self._max:
                self._cache = {k: v for k, v in self._cache.items() if now < v[1]}
                if len(self._cache) >= self._max:
                    self._cache.clear()
            self._cache[key] = (principal, until)
        return principal


class GuardError(Exception):
    def __init__(self, code: grpc.StatusCode, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class BearerGuard(grpc.ServerInterceptor):
    """A server interceptor that admits only calls with a valid bearer token.

    `required_scopes` maps a full method name ("/echo.v1.EchoService/Echo") to
    the scopes its token must all hold; other methods need `default_scopes`.
    A missing, malformed or inactive token answers UNAUTHENTICATED, a missing
    scope PERMISSION_DENIED, tokend unreachable UNAVAILABLE. Handlers read the
    caller with current_principal(). The check runs on the handler's thread.
    """

    def __init__(self, verifier, required_scopes: Optional[Mapping[str, Sequence[str]]] = None,
                 default_scopes: Sequence[str] = ()):
        self._verifier = verifier
        self._required = {k: tuple(v) for k, v in (required_scopes or {}).items()}
        self._default = tuple(default_scopes)

    def authorize(self, method: str, metadata) -> Principal:
        """The principal for a call, or GuardError with the status to answer."""
        header = next((v for k, v in metadata or () if k == "authorization"), "")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise GuardError(grpc.StatusCode.UNAUTHENTICATED, "a bearer token is required")
        try:
            principal = self._verifier.verify(token)
        except TokendError as e:
            raise GuardError(grpc.StatusCode.UNAVAILABLE, f"cannot verify the token now: {e}") from None
        if principal is None:
            raise GuardError(grpc.StatusCode.UNAUTHENTICATED, "the token is not active")
        missing = [s for s in self._required.get(method, self._default) if s not in principal.scopes]
        if missing:
            raise GuardError(grpc.StatusCode.PERMISSION_DENIED, "the token lacks scope " + " ".join(missing))
        return principal

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        method = handler_call_details.method
        metadata = handler_call_details.invocation_metadata

        def admit(context):
            try:
                return self.authorize(method, metadata)
            except GuardError as e:
                context.abort(e.code, e.message)

        def unary(behavior):
            def guarded(request, context):
                reset = _current.set(admit(context))
                try:
                    return behavior(request, context)
                finally:
                    _current.reset(reset)
            return guarded

        def streaming(behavior):
            def guarded(request, context):
                reset = _current.set(admit(context))
                try:
                    yield from behavior(request, context)
                finally:
                    _current.reset(reset)
            return guarded

        codec = dict(request_deserializer=handler.request_deserializer,
                     response_serializer=handler.response_serializer)
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(unary(handler.unary_unary), **codec)
        if handler.stream_unary:
            return grpc.stream_unary_rpc_method_handler(unary(handler.stream_unary), **codec)
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(streaming(handler.unary_stream), **codec)
        return grpc.stream_stream_rpc_method_handler(streaming(handler.stream_stream), **codec)
