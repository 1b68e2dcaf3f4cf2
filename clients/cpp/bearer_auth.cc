#include "bearer_auth.h"

#include <map>
#include <utility>
#include <vector>

namespace tokend::client {
namespace {

class BearerPlugin : public grpc::MetadataCredentialsPlugin {
 public:
  explicit BearerPlugin(std::shared_ptr<TokenSource> source) : source_(std::move(source)) {}

  grpc::Status GetMetadata(grpc::string_ref, grpc::string_ref, const grpc::AuthContext&,
                           std::multimap<std::string, std::string>* metadata) override {
    Result<Token> token = source_->GetToken();
    if (!token.ok()) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                          "no bearer token: " + token.error().description);
    }
    metadata->emplace("authorization", "Bearer " + token->access_token);
    return grpc::Status::OK;
  }

 private:
  std::shared_ptr<TokenSource> source_;
};

class BearerInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit BearerInterceptor(TokenSource* source) : source_(source) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      Result<Token> token = source_->GetToken();
      if (token.ok()) {
        methods->GetSendInitialMetadata()->emplace("authorization",
                                                   "Bearer " + token->access_token);
      }
    }
    methods->Proceed();
  }

 private:
  TokenSource* source_;
};

class BearerInterceptorFactoryImpl : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit BearerInterceptorFactoryImpl(std::shared_ptr<TokenSource> source)
      : source_(std::move(source)) {}

  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo*) override {
    return new BearerInterceptor(source_.get());
  }

 private:
  std::shared_ptr<TokenSource> source_;
};

}  // namespace

std::shared_ptr<grpc::CallCredentials> BearerCallCredentials(std::shared_ptr<TokenSource> source) {
  return grpc::MetadataCredentialsFromPlugin(std::make_unique<BearerPlugin>(std::move(source)));
}

std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface> BearerInterceptorFactory(
    std::shared_ptr<TokenSource> source) {
  return std::make_unique<BearerInterceptorFactoryImpl>(std::move(source));
}

std::shared_ptr<grpc::Channel> CreateBearerChannel(
    const std::string& address, const std::shared_ptr<grpc::ChannelCredentials>& creds,
    std::shared_ptr<TokenSource> source) {
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> factories;
  factories.push_back(BearerInterceptorFactory(std::move(source)));
  return grpc::experimental::CreateCustomChannelWithInterceptors(
      address, creds, grpc::ChannelArguments(), std::move(factories));
}

}  // namespace tokend::client
