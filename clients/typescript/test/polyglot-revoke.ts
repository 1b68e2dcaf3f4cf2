// The polyglot round trip's TypeScript step (tests/clients): revokes argv[2]
// as TOKEND_CLIENT_ID.
import { client } from "./env.js";

await client().revoke(process.argv[2] ?? "");
console.log("revoked");
