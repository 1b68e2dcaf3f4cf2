"""Puts `authorization: Bearer <token>` from a TokenSource on outgoing gRPC calls."""
from __future__ import annotations

import collections

import grpc

from .client import TokendError


class _CallDetails(collections.namedtuple(
        "_CallDetails", ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression")),
        grpc.ClientCallDetails):
    pass


class BearerInterceptor(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor,
                        grpc.StreamUnaryClientInterceptor, grpc.StreamStreamClientInterceptor):
    """A client interceptor for any channel, TLS or not:

        channel = grpc.intercept_channel(grpc.insecure_channel(addr), BearerInterceptor(source))

    When no token can be had the call fails with TokendError (raised before
    anything is sent).
    """

    def __init__(self, source):
        self._source = source

    def _details(self, details):
        metadata = [(k, v) for k, v in (details.metadata or ()) if k != "authorization"]
        metadata.append(("authorization", "Bearer " + self._source.token().access_token))
        return _CallDetails(details.method, details.timeout, metadata, details.credentials,
                            getattr(details, "wait_for_ready", None), getattr(details, "compression", None))

    def intercept_unary_unary(self, continuation, details, request):
        return continuation(self._details(details), request)

    def intercept_unary_stream(self, continuation, details, request):
        return continuation(self._details(details), request)

    def intercept_stream_unary(self, continuation, details, request_iterator):
        return continuation(self._details(details), request_iterator)

    def intercept_stream_stream(self, continuation, details, request_iterator):
        return continuation(self._details(details), request_iterator)


class _BearerPlugin(grpc.AuthMetadataPlugin):
    def __init__(self, source):
        self._source = source

    def __call__(self, context, callback):
        try:
            callback((("authorization", "Bearer " + self._source.token().access_token),), None)
        except TokendError as e:
            callback((), e)


def bearer_call_credentials(source) -> grpc.CallCredentials:
    """Call credentials for TLS channels (gRPC sends call credentials only over
    a secure channel): grpc.composite_channel_credentials(ssl, bearer_call_credentials(source))."""
    return grpc.metadata_call_credentials(_BearerPlugin(source), name="tokend")
