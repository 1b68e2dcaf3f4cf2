"""tokend's Python client: TokenClient, a caching TokenSource, bearer credentials
for outgoing gRPC calls, and a BearerGuard for resource servers."""
from .auth import BearerInterceptor, bearer_call_credentials
from .client import Introspection, Token, TokenClient, TokendError, basic_authorization
from .guard import BearerGuard, GuardError, IntrospectionVerifier, Principal, current_principal
from .token_source import TokenSource

__all__ = [
    "BearerGuard", "BearerInterceptor", "GuardError", "Introspection", "IntrospectionVerifier",
    "Principal", "Token", "TokenClient", "TokenSource", "TokendError", "basic_authorization",
    "bearer_call_credentials", "current_principal",
]
