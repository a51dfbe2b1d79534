// Verifies tokens against `jwkctl serve` with panva jose, keeping ONE
// remote JWK Set (and its cache) across a key rotation, as a long-running
// verifier does. Usage: node serve-jose.mjs JWKS_URL; one token per line
// on stdin, one JSON result per line on stdout.
import readline from 'node:readline';
import { createRemoteJWKSet, jwtVerify } from 'jose';

const [url] = process.argv.slice(2);
// A cache much shorter than the rotation's --publish-ahead, as a
// deployment's should be; the default 30 s cooldown stays.
const jwks = createRemoteJWKSet(new URL(url), { cacheMaxAge: 1000 });

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  const token = line.trim();
  if (!token) continue;
  try {
    const { payload, protectedHeader } = await jwtVerify(token, jwks);
    console.log(JSON.stringify({ valid: true, kid: protectedHeader.kid, sub: payload.sub }));
  } catch (e) {
    console.log(JSON.stringify({ valid: false, error: e.code ?? String(e) }));
  }
}
