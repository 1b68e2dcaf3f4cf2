// The README's example (extracted by test.sh into gen/readme-example.ts and
// compiled with everything else) runs as written.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "node:test";

test("the README example runs", () => {
  const example = fileURLToPath(new URL("../gen/readme-example.js", import.meta.url));
  const out = execFileSync(process.execPath, [example], { encoding: "utf8", timeout: 30_000 });
  assert.match(out, /active: true scopes: read/);
});
