// The authorization code flow in a real browser (Debian's Chromium through
// playwright-core): authorize → log in → consent → redirect with code and
// state → exchange with PKCE → GET /api/me with the token. Saves a
// screenshot of every page. Run by tests/browser/browser_e2etest.cc, which
// starts tokend and passes everything in the environment; exits non-zero
// (with the reason) on any deviation.
import { chromium } from 'playwright-core';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const base = env('TOKEND_HTTP');  // http://127.0.0.1:port
const clientId = env('CLIENT_ID');
const clientSecret = env('CLIENT_SECRET');
const username = env('USERNAME');
const password = env('PASSWORD');
const shots = env('SCREENSHOT_DIR');
const callbackPort = Number(env('CALLBACK_PORT'));
mkdirSync(shots, { recursive: true });

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
  console.log(`ok - ${what}`);
}

// The application's redirect_uri: a tiny server that shows what it got.
const callback = await new Promise((resolve) => {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!DOCTYPE html><title>Application</title><h1>Back at the application</h1>');
  });
  server.listen(callbackPort, '127.0.0.1', () => resolve(server));
});
const redirectUri = `http://127.0.0.1:${callbackPort}/callback`;

const verifier = randomBytes(32).toString('base64url');
const challenge = createHash('sha256').update(verifier).digest('base64url');
const state = randomBytes(8).toString('hex');
const authorize = new URL('/oauth/authorize', base);
for (const [k, v] of Object.entries({
  response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope: 'email badge',
  state, code_challenge: challenge, code_challenge_method: 'S256',
})) authorize.searchParams.set(k, v);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage();
  await page.goto(authorize.toString());
  check(await page.title() === 'Sign in', 'the login page opens');
  check(await page.getByText('Test Application').count() > 0, 'it names the application');
  await page.screenshot({ path: join(shots, '1-login.png'), fullPage: true });

  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  check(await page.getByRole('alert').innerText() === 'The username or password is incorrect.',
        'a wrong password is refused on the page');
  await page.screenshot({ path: join(shots, '2-login-failed.png'), fullPage: true });

  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  check((await page.title()).startsWith('Authorize'), 'the consent page follows the login');
  check(await page.getByText('See your email address, full name and nickname').count() === 1,
        'the consent page says what "email" means');
  check(await page.getByText('See your badges').count() === 1, 'and what "badge" means');
  await page.screenshot({ path: join(shots, '3-consent.png'), fullPage: true });

  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'tokend_session');
  check(session && session.httpOnly && session.sameSite === 'Lax', 'the session cookie is HttpOnly, SameSite=Lax');

  await Promise.all([
    page.waitForURL((url) => url.toString().startsWith(redirectUri)),
    page.getByRole('button', { name: 'Allow' }).click(),
  ]);
  const back = new URL(page.url());
  await page.screenshot({ path: join(shots, '4-callback.png'), fullPage: true });
  check(back.searchParams.get('state') === state, 'the redirect carries the state');
  const code = back.searchParams.get('code');
  check(code && code.length > 20, 'the redirect carries a code');

  const tokenRes = await fetch(new URL('/oauth/token', base), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'Basic ' + Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64'),
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }),
  });
  const tokens = await tokenRes.json();
  check(tokenRes.status === 200 && tokens.access_token && tokens.refresh_token, 'the code is exchanged with PKCE');
  check(tokens.scope === 'email badge', 'for the scopes consented to');

  const me = await fetch(new URL('/api/me', base), { headers: { authorization: `Bearer ${tokens.access_token}` } });
  const body = await me.json();
  check(me.status === 200, `/api/me answers 200 (got ${me.status} ${JSON.stringify(body)})`);
  check(body.email === env('USER_EMAIL'), '/api/me names the user who logged in');

  // Back at /oauth/authorize with the same scopes: consent is remembered.
  const again = new URL(authorize);
  again.searchParams.set('state', 'second');
  await page.goto(again.toString());
  check(page.url().startsWith(redirectUri) && new URL(page.url()).searchParams.get('state') === 'second',
        'a remembered consent goes straight back to the application');
} finally {
  await browser.close();
  callback.close();
}
