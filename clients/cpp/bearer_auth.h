// Puts `authorization: Bearer <token>` from a TokenSource on outgoing calls.
#pragma once

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/client_interceptor.h>

#include <memory>
#include <string>

#include "token_source.h"

namespace tokend::client {

// Call credentials (gRPC sends them over TLS or local credentials only):
//   grpc::CompositeChannelCredentials(grpc::SslCredentials(...), BearerCallCredentials(source)).
// When no token can be had the call fails with UNAVAILABLE before it is sent.
std::shared_ptr<grpc::CallCredentials> BearerCallCredentials(std::shared_ptr<TokenSource> source);

// A client interceptor for any channel:
//   std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> f;
//   f.push_back(BearerInterceptorFactory(source));
//   grpc::experimental::CreateCustomChannelWithInterceptors(addr, creds, {}, std::move(f));
// It fetches on the thread that starts the call (a renewal blocks that call
// only). When no token can be had the call goes out without one and the
// server answers UNAUTHENTICATED.
std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface> BearerInterceptorFactory(
    std::shared_ptr<TokenSource> source);

// A channel to `address` whose every call carries the source's bearer token.
std::shared_ptr<grpc::Channel> CreateBearerChannel(
    const std::string& address, const std::shared_ptr<grpc::ChannelCredentials>& creds,
    std::shared_ptr<TokenSource> source);

}  // namespace tokend::client
