#!/usr/bin/python3
"""tokend's JWT access tokens checked by an implementation we did not write: Debian's PyJWT.

Run by tests/e2e/jwt_e2etest.cc with TOKEND_HTTP (base URL), TOKEN (a JWT tokend issued),
ALG, ISSUER, AUDIENCE and CLIENT_ID. PyJWT fetches the JWKS from the discovery document's
jwks_uri and verifies the token; then it signs the same claims, under tokend's kid, with a key
of its own, and prints that forged token (FORGED=...) for the C++ side to present to Introspect
and to the C++ verifier.
"""
import json
import os
import sys
import urllib.request

from checks import check, finish

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

BASE, TOKEN, ALG = os.environ["TOKEND_HTTP"], os.environ["TOKEN"], os.environ["ALG"]
ISSUER, AUDIENCE, CLIENT_ID = os.environ["ISSUER"], os.environ["AUDIENCE"], os.environ["CLIENT_ID"]


discovery = json.load(urllib.request.urlopen(BASE + "/.well-known/oauth-authorization-server"))
jwks_uri = discovery.get("jwks_uri", "")
check("discovery names jwks_uri", jwks_uri == BASE + "/.well-known/jwks.json", jwks_uri)

with urllib.request.urlopen(jwks_uri) as response:
    cache = response.headers.get("Cache-Control", "")
    document = json.load(response)
check("jwks cache-control max-age", "max-age=300" in cache, cache)
keys = document.get("keys", [])
check("jwks has keys", len(keys) >= 1, str(document))
check("jwks keys are public signing keys",
      all(k.get("use") == "sig" and "d" not in k and k.get("kid") for k in keys), str(keys))

header = jwt.get_unverified_header(TOKEN)
check("typ at+jwt", header.get("typ") == "at+jwt", str(header))
check("alg", header.get("alg") == ALG, str(header))

# PyJWT's own JWKS client and verification, for this algorithm only.
signing_key = jwt.PyJWKClient(jwks_uri).get_signing_key_from_jwt(TOKEN)
claims = jwt.decode(TOKEN, signing_key.key, algorithms=[ALG], audience=AUDIENCE, issuer=ISSUER,
                    options={"require": ["exp", "iat", "nbf", "iss", "aud", "sub", "jti"]})
check("verified sub", claims.get("sub") == CLIENT_ID, str(claims))
check("verified client_id", claims.get("client_id") == CLIENT_ID, str(claims))
check("verified scope", isinstance(claims.get("scope"), str) and claims["scope"] != "", str(claims))
check("verified lifetime", claims["exp"] > claims["iat"] and claims["nbf"] == claims["iat"], str(claims))

# PyJWT refuses a token whose payload we change (sanity of the check above).
head, payload, signature = TOKEN.split(".")
altered = jwt.utils.base64url_encode(
    json.dumps({**claims, "scope": "admin"}).encode()).decode()
try:
    jwt.decode(f"{head}.{altered}.{signature}", signing_key.key, algorithms=[ALG],
               audience=AUDIENCE, issuer=ISSUER)
    check("pyjwt rejects an altered payload", False)
except jwt.InvalidSignatureError:
    check("pyjwt rejects an altered payload", True)

# A key that is not tokend's, under tokend's kid.
foreign = {"ES256": lambda: ec.generate_private_key(ec.SECP256R1()),
           "EdDSA": ed25519.Ed25519PrivateKey.generate,
           "RS256": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)}[ALG]()
forged = jwt.encode(claims, foreign, algorithm=ALG,
                    headers={"kid": header["kid"], "typ": "at+jwt"})
check("forged token verifies under its own key",
      jwt.decode(forged, foreign.public_key(), algorithms=[ALG], audience=AUDIENCE)["jti"] == claims["jti"])
print(f"FORGED={forged}")
finish()
