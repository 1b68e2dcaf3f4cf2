"""The interceptor pair: a Python echo service behind BearerGuard, called through BearerInterceptor."""
import time
from concurrent import futures

import grpc
import pytest

import echo_pb2
import echo_pb2_grpc
from tokend_client import (BearerGuard, BearerInterceptor, IntrospectionVerifier, TokenSource,
                           bearer_call_credentials, current_principal)

SCOPES = {"/echo.v1.EchoService/Echo": ["read"], "/echo.v1.EchoService/Shout": ["write"]}


class Echo(echo_pb2_grpc.EchoServiceServicer):
    def Echo(self, request, context):
        p = current_principal()
        return echo_pb2.EchoResponse(message=request.message, subject=p.subject, client_id=p.client_id,
                                     scopes=list(p.scopes))

    Shout = Echo


@pytest.fixture(scope="module")
def echo_server(rs_client):
    guard = BearerGuard(IntrospectionVerifier(rs_client, cache_ttl=1.0), SCOPES)
    server = grpc.server(futures.ThreadPoolExecutor(4), interceptors=[guard])
    echo_pb2_grpc.add_EchoServiceServicer_to_server(Echo(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    local_port = server.add_secure_port("127.0.0.1:0", grpc.local_server_credentials())
    server.start()
    yield port, local_port
    server.stop(0)


def stub_with(source, port):
    channel = grpc.intercept_channel(grpc.insecure_channel(f"127.0.0.1:{port}"), BearerInterceptor(source))
    return echo_pb2_grpc.EchoServiceStub(channel)


def test_guard_admits_the_token_and_exposes_the_caller(echo_server, client, env):
    stub = stub_with(TokenSource(client, ["read"]), echo_server[0])
    reply = stub.Echo(echo_pb2.EchoRequest(message="hi"))
    assert reply.message == "hi" and reply.client_id == env["TOKEND_CLIENT_ID"]
    assert reply.subject == env["TOKEND_CLIENT_ID"] and list(reply.scopes) == ["read"]


def test_missing_scope_is_permission_denied(echo_server, client):
    stub = stub_with(TokenSource(client, ["read"]), echo_server[0])
    with pytest.raises(grpc.RpcError) as e:
        stub.Shout(echo_pb2.EchoRequest(message="hi"))
    assert e.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert stub_with(TokenSource(client, ["read", "write"]), echo_server[0]).Shout(
        echo_pb2.EchoRequest(message="HI")).message == "HI"


def test_no_or_unknown_token_is_unauthenticated(echo_server):
    plain = echo_pb2_grpc.EchoServiceStub(grpc.insecure_channel(f"127.0.0.1:{echo_server[0]}"))
    for metadata in [(), (("authorization", "Bearer not-a-token"),), (("authorization", "Basic eDp5"),)]:
        with pytest.raises(grpc.RpcError) as e:
            plain.Echo(echo_pb2.EchoRequest(message="hi"), metadata=metadata)
        assert e.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_revoked_token_is_rejected_within_the_cache_ttl(echo_server, client):
    source = TokenSource(client, ["read"])
    stub = stub_with(source, echo_server[0])
    assert stub.Echo(echo_pb2.EchoRequest(message="1")).message == "1"
    client.revoke(source.token().access_token)
    time.sleep(1.1)  # the guard's cache_ttl
    with pytest.raises(grpc.RpcError) as e:
        stub.Echo(echo_pb2.EchoRequest(message="2"))
    assert e.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_call_credentials_on_a_secure_channel(echo_server, client, env):
    creds = grpc.composite_channel_credentials(grpc.local_channel_credentials(),
                                               bearer_call_credentials(TokenSource(client, ["read"])))
    stub = echo_pb2_grpc.EchoServiceStub(grpc.secure_channel(f"127.0.0.1:{echo_server[1]}", creds))
    assert stub.Echo(echo_pb2.EchoRequest(message="tls")).client_id == env["TOKEND_CLIENT_ID"]
