// The live tokend and OAuth clients that tests/clients/clients_e2etest set up;
// these tests fail (never skip) without them.
import { TokenClient } from "../src/index.js";

export function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run through tests/clients (ctest -L clients)`);
  return v;
}

/** The client whose id and secret are in TOKEND_<prefix>CLIENT_ID / _SECRET. */
export function client(prefix = ""): TokenClient {
  return new TokenClient({
    address: env("TOKEND_GRPC_ADDR"),
    clientId: env(`TOKEND_${prefix}CLIENT_ID`),
    clientSecret: env(`TOKEND_${prefix}CLIENT_SECRET`),
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
