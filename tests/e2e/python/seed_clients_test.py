#!/usr/bin/python3
"""The seeds' own curl lines and an independent OAuth client library against a live tokend.

Run by tests/e2e/http_clients_e2etest.cc, which starts tokend and registers the seeds'
clients and users, then passes TOKEND_HTTP (http://127.0.0.1:PORT) and SEEDS_DIR.

- The curl examples are read from the seed documents themselves and run with only the host
  changed (https://api_host, https://cloud.pix4d.com -> TOKEND_HTTP).
- requests-oauthlib (Debian's python3-requests-oauthlib) drives client_credentials
  (BackendApplicationClient), password (LegacyApplicationClient) and refresh.
"""
import base64
import json
import os
import re
import subprocess
import sys

from checks import check, finish

import requests
from oauthlib.oauth2 import BackendApplicationClient, LegacyApplicationClient
from requests_oauthlib import OAuth2Session

BASE = os.environ["TOKEND_HTTP"]
SEEDS = os.environ["SEEDS_DIR"]


def curl_examples(path):
    """Every `curl ...` command in a seed document, continuation lines joined."""
    text = open(path, encoding="utf-8").read()
    commands = []
    for match in re.finditer(r"^curl .*?(?:\\\n.*?)*$", text, re.M):
        commands.append(re.sub(r"\\\n\s*", " ", match.group(0)))
    return [c for c in commands if "token" in c]


def run_curl(command, replacements):
    for old, new in replacements.items():
        command = command.replace(old, new)
    out = subprocess.run(["bash", "-c", command + " -s -w '\\n%{http_code}\\n%header{cache-control}'"],
                         capture_output=True, text=True, timeout=30)
    body, status, cache = out.stdout.rsplit("\n", 2)
    return int(status), json.loads(body) if body.strip() else {}, cache


# --- Bellus3D (000): client_credentials, password, refresh_token with Basic auth ---------
bellus = curl_examples(os.path.join(SEEDS, "000_a577dac5f71ffcee.txt"))
check("bellus3d has three token examples", len(bellus) == 3, str(bellus))
cc, password, refresh = bellus
host = {"https://api_host": BASE}

status, body, cache = run_curl(cc, host)
check("cc 200", status == 200, f"{status} {body}")
check("cc bearer", body.get("token_type") == "Bearer", str(body))
check("cc expires_in 2h", body.get("expires_in") == 7200, str(body))
check("cc no refresh token", "refresh_token" not in body, str(body))
check("cc no-store", cache == "no-store", cache)

status, body, _ = run_curl(password, host)
check("password 200", status == 200, f"{status} {body}")
check("password refresh token", body.get("refresh_token", "").startswith("tdr_"), str(body))
check("password expires_in 2h", body.get("expires_in") == 7200, str(body))
first_refresh = body.get("refresh_token", "")

# The seed's refresh line carries a sample token: replace it by the real one.
status, body, _ = run_curl(refresh, {**host, "cbef57f721ad0b5c3931624fc85d9a771b41bdcc": first_refresh})
check("refresh 200", status == 200, f"{status} {body}")
check("refresh rotates", body.get("refresh_token") not in ("", None, first_refresh), str(body))
status, body, _ = run_curl(refresh, {**host, "cbef57f721ad0b5c3931624fc85d9a771b41bdcc": first_refresh})
check("refresh reuse 400 invalid_grant", status == 400 and body.get("error") == "invalid_grant",
      f"{status} {body}")

# --- Pix4D (001): form-body credentials to /oauth2/token/ ------------------------------
pix4d = curl_examples(os.path.join(SEEDS, "001_e04b0ab5664450bc.txt"))
check("pix4d has one token example", len(pix4d) == 1, str(pix4d))
line = pix4d[0]
status, body, _ = run_curl(line, {"https://cloud.pix4d.com": BASE})
jwt_ready = os.environ.get("JWT_READY") == "1"
if jwt_ready:
    check("pix4d jwt 200", status == 200, f"{status} {body}")
    check("pix4d jwt shape", body.get("access_token", "").count(".") == 2, str(body))
    check("pix4d jwt bearer", body.get("token_type") == "Bearer", str(body))
    check("pix4d jwt expires_in", body.get("expires_in") == 36000, str(body))
    check("pix4d jwt scope", body.get("scope") == "read write", str(body))
    check("pix4d jwt no refresh token", "refresh_token" not in body, str(body))
    claims = json.loads(base64.urlsafe_b64decode(body["access_token"].split(".")[1] + "=="))
    check("pix4d jwt claims", claims.get("client_id") == "YuB7fu" and claims.get("sub") == "YuB7fu"
          and claims.get("scope") == "read write" and claims["exp"] - claims["iat"] == 36000, str(claims))
    introspected = requests.post(BASE + "/oauth/introspect", data={
        "token": body["access_token"], "client_id": "YuB7fu", "client_secret": "GMSVvt8dF"},
        timeout=10).json()
    check("pix4d jwt introspects active", introspected.get("active") is True
          and introspected.get("jti") == claims.get("jti"), str(introspected))
else:
    check("pix4d jwt before its issue: clear invalid_request",
          status == 400 and body.get("error") == "invalid_request" and "JWT" in body.get("error_description", ""),
          f"{status} {body}")
status, body, _ = run_curl(line.replace("token_format=jwt&", ""), {"https://cloud.pix4d.com": BASE})
check("pix4d opaque 200", status == 200, f"{status} {body}")
check("pix4d expires_in", body.get("expires_in") == 36000, str(body))
check("pix4d scope", body.get("scope") == "read write", str(body))
check("pix4d bearer", body.get("token_type") == "Bearer", str(body))

# --- requests-oauthlib -------------------------------------------------------------------
token_url = BASE + "/oauth/token"
backend = OAuth2Session(client=BackendApplicationClient(client_id="application"))
token = backend.fetch_token(token_url=token_url, client_id="application", client_secret="secret")
check("oauthlib client_credentials", token.get("token_type") == "Bearer" and token.get("access_token"), str(token))

legacy = OAuth2Session(client=LegacyApplicationClient(client_id="application"))
token = legacy.fetch_token(token_url=token_url, username="pedroetb", password="password",
                           client_id="application", client_secret="secret")
check("oauthlib password", token.get("refresh_token", "").startswith("tdr_"), str(token))
refreshed = legacy.refresh_token(token_url, refresh_token=token["refresh_token"],
                                 auth=("application", "secret"))
check("oauthlib refresh", refreshed.get("access_token") not in (None, token["access_token"]), str(refreshed))

introspected = requests.post(BASE + "/oauth/introspect", auth=("application", "secret"),
                             data={"token": refreshed["access_token"]}, timeout=10).json()
check("introspect active", introspected.get("active") is True, str(introspected))
check("introspect username", introspected.get("username") == "pedroetb", str(introspected))
revoked = requests.post(BASE + "/oauth/revoke", auth=("application", "secret"),
                        data={"token": refreshed["refresh_token"], "token_type_hint": "refresh_token"}, timeout=10)
check("revoke 200", revoked.status_code == 200, str(revoked.status_code))
introspected = requests.post(BASE + "/oauth/introspect", auth=("application", "secret"),
                             data={"token": refreshed["access_token"]}, timeout=10).json()
check("family revoked", introspected == {"active": False}, str(introspected))

try:
    backend.fetch_token(token_url=token_url, client_id="application", client_secret="wrong")
    check("oauthlib wrong secret raises", False)
except Exception as e:  # oauthlib raises InvalidClientError
    check("oauthlib wrong secret raises invalid_client", "invalid_client" in repr(e), repr(e))

finish()
