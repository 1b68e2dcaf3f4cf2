// tokend's TypeScript client: TokenClient, a caching TokenSource, a bearer
// interceptor for outgoing calls and a bearerGuard for resource servers, with
// an IntrospectionVerifier or an offline JwtVerifier.
export { TokenClient, TokendError, basicAuthorization, formEncode } from "./client.js";
export type { Introspection, IssueOptions, Token, TokenClientOptions } from "./client.js";
export { TokenSource } from "./token-source.js";
export type { Issuer, TokenSourceOptions } from "./token-source.js";
export { bearerInterceptor } from "./auth.js";
export { IntrospectionVerifier, bearerGuard, principalKey, principalOf } from "./guard.js";
export type { BearerGuardOptions, IntrospectionVerifierOptions, Principal, Verifier } from "./guard.js";
export { JwtError, JwtVerifier } from "./jwt-verifier.js";
export type { JwtVerifierOptions } from "./jwt-verifier.js";
