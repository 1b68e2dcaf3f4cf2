"""JwtVerifier: offline checks against keys made here (every algorithm and refusal), then a
Python echo service behind BearerGuard(JwtVerifier) with JWTs issued by the live tokend,
tampered, for another audience, expired, from another issuer, and across a key rotation."""
import base64
import json
import time
from concurrent import futures

import grpc
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

import echo_pb2
import echo_pb2_grpc
from tokend.v1 import admin_pb2, admin_pb2_grpc, token_pb2, token_pb2_grpc
from tokend_client import (BearerGuard, GuardError, JwtError, JwtVerifier, TokendError,
                           basic_authorization, current_principal)

ISSUER = "https://tokend.example"
AUDIENCE = "https://echo.example"
SCOPES = {"/echo.v1.EchoService/Echo": ["read"], "/echo.v1.EchoService/Shout": ["write"]}


def b64(raw) -> str:
    raw = raw.encode() if isinstance(raw, str) else raw
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def uint(n: int, size: int = 0) -> bytes:
    return n.to_bytes(size or (n.bit_length() + 7) // 8, "big")


# ---- offline: keys made here -------------------------------------------------------------

def make_key(alg):
    if alg == "ES256":
        key = ec.generate_private_key(ec.SECP256R1())
        n = key.public_key().public_numbers()
        return key, {"kty": "EC", "crv": "P-256", "x": b64(uint(n.x, 32)), "y": b64(uint(n.y, 32))}
    if alg == "RS256":
        key = rsa.generate_private_key(65537, 2048)
        n = key.public_key().public_numbers()
        return key, {"kty": "RSA", "n": b64(uint(n.n)), "e": b64(uint(n.e))}
    key = ed25519.Ed25519PrivateKey.generate()
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return key, {"kty": "OKP", "crv": "Ed25519", "x": b64(raw)}


def sign(alg, key, header, claims) -> str:
    signed = b64(json.dumps(header)) + "." + b64(json.dumps(claims))
    data = signed.encode()
    if alg == "ES256":
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        sig = uint(r, 32) + uint(s, 32)
    elif alg == "RS256":
        sig = key.sign(data, padding.PKCS1v15(), hashes.SHA256())
    else:
        sig = key.sign(data)
    return signed + "." + b64(sig)


@pytest.fixture(scope="module")
def keys():
    """alg -> (private key, kid); the JWKS publishes all three plus unusable keys."""
    out, jwks = {}, []
    for alg in ("ES256", "RS256", "EdDSA"):
        key, jwk = make_key(alg)
        out[alg] = (key, "kid-" + alg)
        jwks.append({**jwk, "kid": "kid-" + alg, "alg": alg, "use": "sig"})
    small = rsa.generate_private_key(65537, 1024).public_key().public_numbers()
    jwks.append({"kty": "RSA", "n": b64(uint(small.n)), "e": b64(uint(small.e)), "kid": "small", "alg": "RS256"})
    private = dict(jwks[0], kid="private", d=b64(b"\x01" * 32))
    jwks.append(private)
    return out, json.dumps({"keys": jwks})


def claims(**over):
    now = int(time.time())
    c = {"iss": ISSUER, "sub": "user-1", "aud": AUDIENCE, "exp": now + 300, "iat": now, "nbf": now,
         "jti": "j1", "client_id": "app", "scope": "read write"}
    c.update(over)
    return {k: v for k, v in c.items() if v is not None}


def offline_verifier(jwks_json, **kw):
    return JwtVerifier(lambda: jwks_json, issuer=ISSUER, audience=AUDIENCE, **kw)


def test_every_algorithm_verifies_and_yields_the_principal(keys):
    (private, jwks_json) = keys
    v = offline_verifier(jwks_json)
    for alg, (key, kid) in private.items():
        token = sign(alg, key, {"alg": alg, "typ": "at+jwt", "kid": kid}, claims(aud=["other", AUDIENCE]))
        p = v.check(token)
        assert (p.subject, p.client_id, p.username, p.scopes) == ("user-1", "app", "", ("read", "write")), alg
        assert p.expires_at == claims()["exp"] and v.verify(token) == p


def test_each_refusal_names_tokend_check(keys):
    (private, jwks_json) = keys
    key, kid = private["ES256"]
    ok_header = {"alg": "ES256", "typ": "at+jwt", "kid": kid}
    good = sign("ES256", key, ok_header, claims())
    h, p, s = good.split(".")
    other_payload = b64(json.dumps(claims(sub="user-2")))
    rs_key, rs_kid = private["RS256"]
    cases = {
        "too_large": good + "A" * 8192,
        "malformed": [h + "." + p, good + ".x", h + "=." + p + "." + s, h + "." + p + "+." + s,
                      b64("not json") + "." + p + "." + s, b64(" " + json.dumps(ok_header)) + "." + p + "." + s,
                      sign("ES256", key, dict(ok_header, crit=["exp"]), claims()),
                      sign("ES256", key, ok_header, claims(sub=None)),
                      sign("ES256", key, ok_header, claims(exp=1.5)),
                      sign("ES256", key, ok_header, claims(exp=True)),
                      sign("ES256", key, ok_header, claims(aud=[AUDIENCE, 7]))],
        "unsupported_algorithm": [b64(json.dumps(dict(ok_header, alg="none"))) + "." + p + ".",
                                  b64(json.dumps(dict(ok_header, alg="HS256"))) + "." + p + "." + s,
                                  b64(json.dumps({"typ": "at+jwt", "kid": kid})) + "." + p + "." + s],
        "wrong_type": [sign("ES256", key, dict(ok_header, typ="JWT"), claims()),
                       sign("ES256", key, {"alg": "ES256", "kid": kid}, claims())],
        "unknown_key": [sign("ES256", key, dict(ok_header, kid="nope"), claims()),
                        sign("ES256", key, {"alg": "ES256", "typ": "at+jwt"}, claims()),
                        sign("RS256", rs_key, {"alg": "RS256", "typ": "at+jwt", "kid": "small"}, claims()),
                        sign("ES256", key, dict(ok_header, kid="private"), claims())],
        "algorithm_mismatch": sign("ES256", key, dict(ok_header, kid=rs_kid), claims()),
        "bad_signature": [h + "." + other_payload + "." + s, h + "." + p + "." + b64(bytes(64)),
                          h + "." + p + "." + b64(bytes(63)),
                          sign("ES256", ec.generate_private_key(ec.SECP256R1()), ok_header, claims())],
        "expired": sign("ES256", key, ok_header, claims(exp=int(time.time()) - 31)),
        "not_yet_valid": sign("ES256", key, ok_header, claims(nbf=int(time.time()) + 60)),
        "wrong_issuer": sign("ES256", key, ok_header, claims(iss=ISSUER + "/")),
        "wrong_audience": [sign("ES256", key, ok_header, claims(aud="https://other.example")),
                           sign("ES256", key, ok_header, claims(aud=None))],
    }
    v = offline_verifier(jwks_json)
    assert v.check(good).subject == "user-1"
    for reason, tokens in cases.items():
        for token in tokens if isinstance(tokens, list) else [tokens]:
            with pytest.raises(JwtError) as e:
                v.check(token)
            assert e.value.reason == reason, (token, e.value)
            assert v.verify(token) is None


def test_leeway_is_configurable(keys):
    (private, jwks_json) = keys
    key, kid = private["EdDSA"]
    token = sign("EdDSA", key, {"alg": "EdDSA", "typ": "at+jwt", "kid": kid}, claims(exp=int(time.time()) - 20))
    assert offline_verifier(jwks_json).check(token).subject == "user-1"  # default leeway 30 s
    with pytest.raises(JwtError, match="expired"):
        offline_verifier(jwks_json, leeway=5).check(token)


def test_unknown_kid_refetches_at_most_once_per_interval(keys):
    (private, jwks_json) = keys
    key, kid = private["ES256"]
    published = {"doc": json.dumps({"keys": []})}
    fetches = []
    now = [1000.0]

    def fetch():
        fetches.append(now[0])
        return published["doc"]

    v = JwtVerifier(fetch, issuer=ISSUER, audience=AUDIENCE, clock=lambda: time.time() + now[0] - 1000)
    token = sign("ES256", key, {"alg": "ES256", "typ": "at+jwt", "kid": kid}, claims())
    with pytest.raises(JwtError, match="unknown_key"):
        v.check(token)
    assert len(fetches) == 1  # the first fetch; the refetch is within the interval
    published["doc"] = jwks_json  # the key is published now
    now[0] += 29
    assert v.verify(token) is None and len(fetches) == 1
    now[0] += 1
    assert v.check(token).subject == "user-1" and len(fetches) == 2
    assert v.check(token).subject == "user-1" and len(fetches) == 2  # cached


def test_no_key_set_at_all_is_unavailable():
    def down():
        raise OSError("connection refused")

    v = JwtVerifier(down, issuer=ISSUER)
    with pytest.raises(TokendError) as e:
        v.verify("a.b.c")
    assert e.value.code == grpc.StatusCode.UNAVAILABLE
    with pytest.raises(TokendError):
        v.refresh()
    with pytest.raises(ValueError):
        JwtVerifier(down, issuer="")


# ---- live: JWTs issued by tokend ---------------------------------------------------------

class Echo(echo_pb2_grpc.EchoServiceServicer):
    def Echo(self, request, context):
        p = current_principal()
        return echo_pb2.EchoResponse(message=request.message, subject=p.subject, client_id=p.client_id,
                                     scopes=list(p.scopes))

    Shout = Echo


class Clock:
    """Real time plus an offset the tests move."""

    def __init__(self):
        self.offset = 0.0

    def __call__(self):
        return time.time() + self.offset


@pytest.fixture(scope="module")
def tokend_channel(env):
    channel = grpc.insecure_channel(env["TOKEND_GRPC_ADDR"])
    yield channel
    channel.close()


@pytest.fixture
def live(env, tokend_channel):
    """The echo service behind BearerGuard(JwtVerifier over GetJwks); (stub, verifier, clock, fetches)."""
    clock, fetches = Clock(), []
    stub = token_pb2_grpc.TokenServiceStub(tokend_channel)

    def fetch():
        fetches.append(clock())
        return stub.GetJwks(token_pb2.GetJwksRequest(), timeout=10).jwks_json

    verifier = JwtVerifier(fetch, issuer=env["TOKEND_ISSUER"], audience=AUDIENCE, clock=clock)
    server = grpc.server(futures.ThreadPoolExecutor(4), interceptors=[BearerGuard(verifier, SCOPES)])
    echo_pb2_grpc.add_EchoServiceServicer_to_server(Echo(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    yield echo_pb2_grpc.EchoServiceStub(channel), verifier, clock, fetches
    channel.close()
    server.stop(0)


def issue_jwt(env, channel, *, audience=AUDIENCE, scopes=("read",), password=False) -> str:
    request = token_pb2.IssueTokenRequest(scopes=list(scopes), audience=audience,
                                          token_format=token_pb2.TOKEN_FORMAT_JWT)
    if password:
        request.password.username, request.password.password = env["TOKEND_USERNAME"], env["TOKEND_PASSWORD"]
    else:
        request.client_credentials.SetInParent()
    auth = basic_authorization(env["TOKEND_CLIENT_ID"], env["TOKEND_CLIENT_SECRET"])
    token = token_pb2_grpc.TokenServiceStub(channel).IssueToken(
        request, metadata=(("authorization", auth),), timeout=20).access_token
    assert token.count(".") == 2, token
    return token


def segment(token: str, i: int) -> dict:
    part = token.split(".")[i]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def call(stub, token, method="Echo"):
    return getattr(stub, method)(echo_pb2.EchoRequest(message="hi"), metadata=(("authorization", "Bearer " + token),))


def code_of(stub, token, method="Echo"):
    with pytest.raises(grpc.RpcError) as e:
        call(stub, token, method)
    return e.value.code()


def test_tokend_jwt_is_accepted_and_the_handler_sees_the_caller(live, env, tokend_channel):
    stub = live[0]
    token = issue_jwt(env, tokend_channel, scopes=("read", "write"))
    assert segment(token, 0)["typ"] == "at+jwt"
    reply = call(stub, token)
    assert (reply.message, reply.subject, reply.client_id) == ("hi", env["TOKEND_CLIENT_ID"], env["TOKEND_CLIENT_ID"])
    assert list(reply.scopes) == ["read", "write"]
    assert call(stub, token, "Shout").message == "hi"
    read_only = issue_jwt(env, tokend_channel, scopes=("read",))
    assert code_of(stub, read_only, "Shout") == grpc.StatusCode.PERMISSION_DENIED

    user_token = issue_jwt(env, tokend_channel, password=True)
    reply = call(stub, user_token)
    user_id = segment(user_token, 1)["sub"]
    assert reply.subject == user_id and user_id != env["TOKEND_CLIENT_ID"]
    assert reply.client_id == env["TOKEND_CLIENT_ID"] and list(reply.scopes) == ["read"]


def test_tampered_other_audience_expired_and_wrong_issuer_are_unauthenticated(live, env, tokend_channel):
    stub, verifier, _, _ = live
    token = issue_jwt(env, tokend_channel)
    assert call(stub, token).subject == env["TOKEND_CLIENT_ID"]

    header, payload, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    at = raw.index(b'"client_id":"') + len(b'"client_id":"')
    raw[at] ^= 1  # one payload byte
    tampered = header + "." + b64(bytes(raw)) + "." + signature
    assert code_of(stub, tampered) == grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(JwtError, match="bad_signature"):
        verifier.check(tampered)

    other = issue_jwt(env, tokend_channel, audience="https://other.example")
    assert code_of(stub, other) == grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(JwtError, match="wrong_audience"):
        verifier.check(other)

    # Expired (at exp + the default 30 s leeway) and another issuer, through the guard.
    exp = segment(token, 1)["exp"]
    metadata = (("authorization", "Bearer " + token),)
    for verifier, reason in [
            (JwtVerifier(tokend_channel, issuer=env["TOKEND_ISSUER"], audience=AUDIENCE, clock=lambda: exp + 30),
             "expired"),
            (JwtVerifier(tokend_channel, issuer=env["TOKEND_ISSUER"] + "/elsewhere", audience=AUDIENCE),
             "wrong_issuer")]:
        with pytest.raises(JwtError) as e:
            verifier.check(token)
        assert e.value.reason == reason
        with pytest.raises(GuardError) as e:
            BearerGuard(verifier, SCOPES).authorize("/echo.v1.EchoService/Echo", metadata)
        assert e.value.code == grpc.StatusCode.UNAUTHENTICATED
    assert JwtVerifier(tokend_channel, issuer=env["TOKEND_ISSUER"], audience=AUDIENCE,
                       clock=lambda: exp + 29).check(token).subject == env["TOKEND_CLIENT_ID"]


def test_a_rotated_key_is_picked_up_without_restart(live, env, tokend_channel):
    stub, _, clock, fetches = live
    before = issue_jwt(env, tokend_channel)
    assert call(stub, before).client_id == env["TOKEND_CLIENT_ID"]
    assert len(fetches) == 1

    with grpc.insecure_channel(env["TOKEND_ADMIN_ADDR"]) as admin_channel:
        rotated = admin_pb2_grpc.AdminServiceStub(admin_channel).RotateSigningKey(
            admin_pb2.RotateSigningKeyRequest(), timeout=20,
            metadata=(("authorization", "Bearer " + env["TOKEND_ADMIN_KEY"]),))
    after = issue_jwt(env, tokend_channel)
    assert segment(after, 0)["kid"] == rotated.signing_key.kid != segment(before, 0)["kid"]

    assert code_of(stub, after) == grpc.StatusCode.UNAUTHENTICATED  # within the refetch interval
    assert len(fetches) == 1
    clock.offset = 30  # the default refetch interval since the first fetch
    reply = call(stub, after)
    assert reply.client_id == env["TOKEND_CLIENT_ID"] and list(reply.scopes) == ["read"]
    assert len(fetches) == 2  # one refetch for the new kid
    assert call(stub, before).client_id == env["TOKEND_CLIENT_ID"]  # the retired key stays published
    assert len(fetches) == 2

    # The GetJwks RPC itself (the verifier built from a channel) sees the new key too.
    assert JwtVerifier(tokend_channel, issuer=env["TOKEND_ISSUER"], audience=AUDIENCE).check(after).subject \
        == env["TOKEND_CLIENT_ID"]
