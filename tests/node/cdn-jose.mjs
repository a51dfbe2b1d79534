// A long-running panva jose verifier behind a CDN: ONE remote JWK Set whose
// own cache and refetch cooldown last CACHE_MS, as a verifier that follows
// the set's max-age does. Usage: node cdn-jose.mjs JWKS_URL CACHE_MS; one
// "TOKEN UNIX_SECONDS" per line on stdin (claims are judged at that time,
// the caches at real time), one JSON result per line on stdout.
import readline from 'node:readline';
import { createRemoteJWKSet, jwtVerify } from 'jose';

const [url, cacheMs] = process.argv.slice(2);
const ms = Number(cacheMs);
const jwks = createRemoteJWKSet(new URL(url), { cacheMaxAge: ms, cooldownDuration: ms });

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  const [token, now] = line.trim().split(' ');
  if (!token) continue;
  try {
    const currentDate = new Date(Number(now) * 1000);
    const { protectedHeader } = await jwtVerify(token, jwks, { currentDate });
    console.log(JSON.stringify({ valid: true, kid: protectedHeader.kid }));
  } catch (e) {
    console.log(JSON.stringify({ valid: false, error: e.code ?? String(e) }));
  }
}
