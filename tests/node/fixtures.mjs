// panva jose's verdict on every token of a `jwkctl fixtures` kit:
//
//   node fixtures.mjs DIR ISS AUD NOW_UNIX
//
// Configured as `jwkctl verify --jwks DIR/jwks.json --iss ISS --aud AUD`
// is: exp required, 60 s of clock tolerance, the clock at NOW_UNIX. Prints
// one line per token, "NAME<TAB>EXPECT<TAB>JOSE'S VERDICT<TAB>JOSE'S ERROR",
// and exits 1 when a verdict differs from the manifest's. jose may reject a
// token for another reason than jwkctl: only the verdict must agree.
import fs from "node:fs";
import path from "node:path";
import { createLocalJWKSet, jwtVerify } from "jose";

const [dir, issuer, audience, now] = process.argv.slice(2);
const read = (name) => fs.readFileSync(path.join(dir, name), "utf8");
const keys = createLocalJWKSet(JSON.parse(read("jwks.json")));
const options = {
  issuer,
  audience,
  requiredClaims: ["exp"],
  clockTolerance: 60,
  currentDate: new Date(Number(now) * 1000),
};

let wrong = 0;
for (const { name, file, expect } of JSON.parse(read("manifest.json"))) {
  let verdict = "valid";
  let error = "";
  try {
    await jwtVerify(read(file), keys, options);
  } catch (e) {
    verdict = "invalid";
    error = `${e.code ?? e.name}: ${e.message}`;
  }
  if (verdict !== expect) wrong += 1;
  console.log([name, expect, verdict, error].join("\t"));
}
process.exit(wrong ? 1 : 0);
