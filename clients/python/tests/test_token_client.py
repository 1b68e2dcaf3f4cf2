"""TokenClient against the live tokend: every RPC and the typed errors."""
import grpc
import pytest

from tokend_client import TokenClient, TokendError, basic_authorization


def test_issue_client_credentials(client, env):
    token = client.issue(["read", "write"])
    assert token.access_token and token.token_type == "Bearer"
    assert token.expires_in > 0 and token.refresh_token == ""
    assert sorted(token.scopes) == ["read", "write"]
    assert client.issue().scopes == ["read"]  # the client's default scopes


def test_introspect_then_revoke(client, env):
    token = client.issue(["read"])
    info = client.introspect(token.access_token)
    assert info.active and info.client_id == env["TOKEND_CLIENT_ID"]
    assert info.scopes == ["read"] and info.token_type == "Bearer" and info.exp > info.iat
    client.revoke(token.access_token)
    assert client.introspect(token.access_token).active is False
    client.revoke("never-issued")  # RFC 7009: not an error


def test_password_then_refresh(client, env):
    token = client.issue(username=env["TOKEND_USERNAME"], password=env["TOKEND_PASSWORD"])
    assert token.refresh_token
    renewed = client.refresh(token.refresh_token)
    assert renewed.access_token != token.access_token and renewed.refresh_token != token.refresh_token
    info = client.introspect(renewed.access_token)
    assert info.active and info.username == env["TOKEND_USERNAME"]


def test_spent_refresh_token_is_invalid_grant(client, env):
    token = client.issue(username=env["TOKEND_USERNAME"], password=env["TOKEND_PASSWORD"])
    client.refresh(token.refresh_token)
    with pytest.raises(TokendError) as e:
        client.refresh(token.refresh_token)
    assert e.value.error == "invalid_grant"
    assert e.value.code == grpc.StatusCode.FAILED_PRECONDITION


def test_wrong_secret_is_invalid_client(env):
    with TokenClient(env["TOKEND_GRPC_ADDR"], env["TOKEND_CLIENT_ID"], "not-the-secret") as bad:
        with pytest.raises(TokendError) as e:
            bad.issue()
    assert e.value.error == "invalid_client"
    assert e.value.code == grpc.StatusCode.UNAUTHENTICATED
    assert e.value.description


def test_wrong_password_is_invalid_grant(client, env):
    with pytest.raises(TokendError) as e:
        client.issue(username=env["TOKEND_USERNAME"], password="wrong")
    assert e.value.error == "invalid_grant"


def test_unreachable_tokend_is_unavailable(env):
    with TokenClient("127.0.0.1:1", "x", "y", timeout=2) as dead:
        with pytest.raises(TokendError) as e:
            dead.issue()
    assert e.value.code == grpc.StatusCode.UNAVAILABLE and e.value.error == ""


def test_basic_authorization_form_encodes():
    # RFC 6749 §2.3.1: form-urlencode each part, then base64 "id:secret".
    assert basic_authorization("a b", "x:y/é") == "Basic " + "YStiOnglM0F5JTJGJUMzJUE5"
