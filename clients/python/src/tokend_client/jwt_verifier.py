"""Offline verification of tokend's JWT access tokens (RFC 9068 §4) for resource servers.

The same checks, in the same order and with the same refusal names, as tokend's own
verifier (services/jwt/jwt_verifier.cc) and the C++ client (clients/cpp/jwt_verifier.h):
alg ES256, EdDSA or RS256 only; typ at+jwt; no crit; a published kid whose alg matches; the
signature; the claims iss, sub, exp, iat, jti and client_id present; exp and nbf within a
leeway; iss equal to the issuer; aud naming the audience. The key set comes from tokend's
GetJwks RPC (or any fetch function), is cached, and is refetched when a token names an
unknown kid (at most once per `min_refetch_interval`), so a key rotation needs no restart.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import time
from typing import Callable, Optional, Union

import grpc
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tokend.v1 import token_pb2, token_pb2_grpc

from .client import TokendError
from .guard import Principal

MAX_TOKEN_BYTES = 8 * 1024
ALGORITHMS = ("ES256", "EdDSA", "RS256")
_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_RETRY_AFTER_FAILURE = 1.0  # with no keys at all, refetch at most this often


class JwtError(Exception):
    """A refused JWT. `reason` is tokend's name for the failed check: too_large, malformed,
    wrong_type, unsupported_algorithm, unknown_key, algorithm_mismatch, bad_signature,
    expired, not_yet_valid, wrong_issuer or wrong_audience."""

    def __init__(self, reason: str, message: str):
        super().__init__(f"{reason}: {message}")
        self.reason = reason


def b64url_decode(text: str) -> bytes:
    """Unpadded, canonical base64url (RFC 7515 §2); ValueError otherwise."""
    if len(text) % 4 == 1 or not _B64URL.fullmatch(text):
        raise ValueError("not base64url")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != text:
        raise ValueError("not canonical base64url")
    return raw


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _json_object(raw: bytes) -> Optional[dict]:
    """A JSON object starting with "{" (as tokend parses), else None."""
    if not raw.startswith(b"{"):
        return None
    try:
        value = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _int(value) -> Optional[int]:
    """A JSON number that is a whole number within ±9e15 (as tokend reads NumericDate)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))
                                     or not value.is_integer()):
        return None
    return int(value) if abs(value) <= 9e15 else None


def _member_bytes(jwk: dict, name: str) -> bytes:
    value = jwk.get(name)
    try:
        return b64url_decode(value) if isinstance(value, str) else b""
    except ValueError:
        return b""


def _public_key(jwk: dict):
    """(kid, alg, key) for a usable published JWK, else None (tokend's FromJwk rules)."""
    kid, alg, kty = jwk.get("kid"), jwk.get("alg"), jwk.get("kty")
    if not (isinstance(kid, str) and kid and isinstance(alg, str) and isinstance(kty, str)):
        return None
    use = jwk.get("use")
    if (isinstance(use, str) and use != "sig") or "d" in jwk or alg not in ALGORITHMS:
        return None
    try:
        if alg == "ES256" and kty == "EC" and jwk.get("crv") == "P-256":
            x, y = _member_bytes(jwk, "x"), _member_bytes(jwk, "y")
            if len(x) != 32 or len(y) != 32:
                return None
            return kid, alg, ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b"\x04" + x + y)
        if alg == "EdDSA" and kty == "OKP" and jwk.get("crv") == "Ed25519":
            x = _member_bytes(jwk, "x")
            return (kid, alg, ed25519.Ed25519PublicKey.from_public_bytes(x)) if len(x) == 32 else None
        if alg == "RS256" and kty == "RSA":
            n, e = _member_bytes(jwk, "n"), _member_bytes(jwk, "e")
            if not n or not e:
                return None
            key = rsa.RSAPublicNumbers(int.from_bytes(e, "big"), int.from_bytes(n, "big")).public_key()
            return (kid, alg, key) if key.key_size >= 2048 else None
    except (ValueError, TypeError):
        return None
    return None


def parse_jwks(document: str) -> dict:
    """kid -> (alg, public key) for the usable keys of a JWKS; ValueError when it has no "keys" array."""
    doc = _json_object(document.encode("utf-8") if isinstance(document, str) else document)
    if doc is None or not isinstance(doc.get("keys"), list):
        raise ValueError('a JWKS needs a "keys" array')
    keys = {}
    for jwk in doc["keys"]:
        found = _public_key(jwk) if isinstance(jwk, dict) else None
        if found is not None:
            keys[found[0]] = found[1:]
    return keys


def _signature_ok(alg: str, key, signed: bytes, signature: bytes) -> bool:
    try:
        if alg == "ES256":
            if len(signature) != 64:
                return False
            r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            key.verify(encode_dss_signature(r, s), signed, ec.ECDSA(hashes.SHA256()))
        elif alg == "EdDSA":
            if len(signature) != 64:
                return False
            key.verify(signature, signed)
        else:
            if len(signature) != (key.key_size + 7) // 8:
                return False
            key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True


def _string_list(value) -> Optional[list]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


class JwtVerifier:
    """The guard's verifier for tokend's JWT access tokens, checked offline against its JWKS.

    `jwks` is a grpc.Channel to tokend (its GetJwks RPC, which needs no client credentials)
    or a callable returning the JWKS document (e.g. a GET of /.well-known/jwks.json).
    `issuer` is tokend's issuer (required); `audience` this resource server (empty: aud is
    not checked). `leeway` (seconds) is the clock skew allowed on exp and nbf. The key set is
    reused for `max_cache_age` seconds; a token with an unknown kid refetches it at most once
    per `min_refetch_interval`. Thread-safe; blocks only to fetch the key set.

    verify() returns the Principal (username is empty: JWTs carry none) or None for a refused
    token, and raises TokendError when no key set could be fetched at all; check() raises
    JwtError saying why instead of returning None. A signature cannot tell that a token was
    revoked after it was issued: where that matters, use the IntrospectionVerifier.
    """

    def __init__(self, jwks: Union[grpc.Channel, Callable[[], str]], *, issuer: str, audience: str = "",
                 leeway: float = 30.0, min_refetch_interval: float = 30.0, max_cache_age: float = 300.0,
                 timeout: float = 10.0, clock: Callable[[], float] = time.time):
        if not issuer:
            raise ValueError("JwtVerifier needs the issuer")
        if isinstance(jwks, grpc.Channel):
            stub = token_pb2_grpc.TokenServiceStub(jwks)
            self._fetch = lambda: stub.GetJwks(token_pb2.GetJwksRequest(), timeout=timeout).jwks_json
        else:
            self._fetch = jwks
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway
        self._min_refetch = min_refetch_interval
        self._max_age = max_cache_age
        self._clock = clock
        self._fetching = threading.Lock()  # one fetch at a time
        self._lock = threading.Lock()
        self._keys: Optional[dict] = None
        self._fetched_at = float("-inf")
        self._attempted_at = float("-inf")
        self._last_error = ""

    def verify(self, token: str) -> Optional[Principal]:
        try:
            return self.check(token)
        except JwtError:
            return None

    def refresh(self) -> None:
        """Fetches the key set now (e.g. at start-up); TokendError when that fails."""
        before = self._keys
        if self._refetch(0.0) is before:
            raise TokendError(grpc.StatusCode.UNAVAILABLE, "", "the JWKS could not be fetched: " + self._last_error)

    def check(self, token: str) -> Principal:
        """The token's principal; JwtError when it is refused, TokendError when no keys can be had."""
        if len(token.encode("utf-8")) > MAX_TOKEN_BYTES:
            raise JwtError("too_large", "the token exceeds 8 KiB")
        keys = self._current_keys()
        if keys is None:
            raise TokendError(grpc.StatusCode.UNAVAILABLE, "", "no JWKS could be fetched: " + self._last_error)
        try:
            return self._check(token, keys)
        except JwtError as e:
            if e.reason != "unknown_key":
                raise
        fresh = self._refetch(self._min_refetch)  # a rotation not seen yet?
        if fresh is keys:
            raise JwtError("unknown_key", "no published key has this kid")
        return self._check(token, fresh)

    def _check(self, token: str, keys: dict) -> Principal:
        parts = token.split(".")
        try:
            if len(parts) != 3:
                raise ValueError
            header_raw, payload_raw, signature = (b64url_decode(p) for p in parts)
        except ValueError:
            raise JwtError("malformed", "not a compact JWS") from None
        header = _json_object(header_raw)
        if header is None:
            raise JwtError("malformed", "the header is not a JSON object")
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in ALGORITHMS:
            raise JwtError("unsupported_algorithm", "unsupported alg")
        if header.get("typ") not in ("at+jwt", "application/at+jwt"):
            raise JwtError("wrong_type", "typ is not at+jwt")
        if "crit" in header:
            raise JwtError("malformed", "critical header parameters are not supported")
        kid = header.get("kid")
        found = keys.get(kid) if isinstance(kid, str) else None
        if found is None:
            raise JwtError("unknown_key", "no published key has this kid")
        key_alg, key = found
        if key_alg != alg:
            raise JwtError("algorithm_mismatch", "alg differs from the key's")
        signed = (parts[0] + "." + parts[1]).encode("ascii")
        if not _signature_ok(alg, key, signed, signature):
            raise JwtError("bad_signature", "the signature does not verify")
        claims = _json_object(payload_raw)
        if claims is None:
            raise JwtError("malformed", "the payload is not a JSON object")
        return self._principal(claims)

    def _principal(self, c: dict) -> Principal:
        exp, iat = _int(c.get("exp")), _int(c.get("iat"))
        nbf = _int(c.get("nbf")) if "nbf" in c else iat
        aud = _string_list(c["aud"]) if "aud" in c else []
        scope = c.get("scope", "")
        strings = [c.get(k) for k in ("iss", "sub", "jti", "client_id")]
        if (exp is None or iat is None or nbf is None or aud is None or not isinstance(scope, str)
                or not all(isinstance(s, str) for s in strings)):
            raise JwtError("malformed", "a required claim is missing or mistyped")
        now = self._clock()
        if exp + self._leeway <= now:
            raise JwtError("expired", "the token has expired")
        if nbf - self._leeway > now:
            raise JwtError("not_yet_valid", "the token is not valid yet")
        if c["iss"] != self._issuer:
            raise JwtError("wrong_issuer", "iss is not the expected issuer")
        if self._audience and self._audience not in aud:
            raise JwtError("wrong_audience", "aud does not name this audience")
        return Principal(c["sub"], c["client_id"], "", tuple(scope.split()), exp)

    def _current_keys(self) -> Optional[dict]:
        with self._lock:
            if self._keys is not None and self._clock() - self._fetched_at < self._max_age:
                return self._keys
        return self._refetch(_RETRY_AFTER_FAILURE)

    def _refetch(self, min_interval: float) -> Optional[dict]:
        """Refetches unless a fetch started within min_interval; the keys now held (a failed
        fetch keeps the previous ones)."""
        with self._fetching:
            now = self._clock()
            with self._lock:
                if now - self._attempted_at < min_interval:
                    return self._keys
                self._attempted_at = now
            try:
                keys = parse_jwks(self._fetch())
            except Exception as e:  # noqa: BLE001 - any fetch failure keeps the old keys
                with self._lock:
                    self._last_error = str(e)
                    return self._keys
            with self._lock:
                self._keys, self._fetched_at = keys, now
                return keys
