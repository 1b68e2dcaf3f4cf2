"""Fixtures: the live tokend and the OAuth clients tests/clients/clients_e2etest registered."""
import os

import pytest

from tokend_client import TokenClient


@pytest.fixture(scope="session")
def env():
    return os.environ


@pytest.fixture(scope="session")
def client(env):
    """client_credentials, password and refresh_token; scopes read write (default read)."""
    with TokenClient(env["TOKEND_GRPC_ADDR"], env["TOKEND_CLIENT_ID"], env["TOKEND_CLIENT_SECRET"]) as c:
        yield c


@pytest.fixture(scope="session")
def short_client(env):
    """client_credentials with a 4 s access token lifetime."""
    with TokenClient(env["TOKEND_GRPC_ADDR"], env["TOKEND_SHORT_CLIENT_ID"],
                     env["TOKEND_SHORT_CLIENT_SECRET"]) as c:
        yield c


@pytest.fixture(scope="session")
def rs_client(env):
    """The resource server's own client, holding the introspect permission."""
    with TokenClient(env["TOKEND_GRPC_ADDR"], env["TOKEND_RS_CLIENT_ID"], env["TOKEND_RS_CLIENT_SECRET"]) as c:
        yield c
