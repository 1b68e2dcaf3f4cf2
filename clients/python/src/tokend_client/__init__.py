"""tokend's Python client: TokenClient, a caching TokenSource, bearer credentials
for outgoing gRPC calls, and a BearerGuard for resource servers (verifying tokens through
Introspect or, for JWT access tokens, offline against tokend's JWKS)."""
from .auth import BearerInterceptor, bearer_call_credentials
from .client import Introspection, Token, TokenClient, TokendError, basic_authorization
from .guard import BearerGuard, GuardError, IntrospectionVerifier, Principal, current_principal
from .jwt_verifier import JwtError, JwtVerifier
from .token_source import TokenSource

__all__ = [
    "BearerGuard", "BearerInterceptor", "GuardError", "Introspection", "IntrospectionVerifier",
    "JwtError", "JwtVerifier", "Principal", "Token", "TokenClient", "TokenSource", "TokendError",
    "basic_authorization", "bearer_call_credentials", "current_principal",
]
