// Puts `authorization: Bearer <token>` from a TokenSource on outgoing calls.
import type { Interceptor } from "@connectrpc/connect";

import type { TokenSource } from "./token-source.js";

/**
 * A Connect client interceptor: createGrpcTransport({ baseUrl, interceptors: [bearerInterceptor(source)] }).
 * When no token can be had the call rejects with the source's TokendError.
 */
export function bearerInterceptor(source: TokenSource): Interceptor {
  return (next) => async (req) => {
    req.header.set("authorization", `Bearer ${await source.accessToken()}`);
    return next(req);
  };
}
