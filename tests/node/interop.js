// node-jose's side of jwkctl's interop tests. node-jose is the library of
// the original Express example: it reads keys.json with JWK.asKeyStore and
// signs with the first key.
//
//   node interop.js generate              a toJSON(true) store: RSA + EC keys
//   node interop.js sign STORE NOW_UNIX   a JWT from the store's first key
//   node interop.js verify JWKS TOKEN     the payload of a token jwkctl signed
"use strict";
const fs = require("fs");
const jose = require("node-jose");

async function main([command, ...args]) {
  switch (command) {
    case "generate": {
      const ks = jose.JWK.createKeyStore();
      await ks.generate("RSA", 2048, { alg: "RS256", use: "sig" });
      await ks.generate("EC", "P-256", { alg: "ES256", use: "sig" });
      return JSON.stringify(ks.toJSON(true));
    }
    case "sign": {
      const [store, now] = args;
      const ks = await jose.JWK.asKeyStore(JSON.parse(fs.readFileSync(store, "utf8")));
      const [key] = ks.all();
      const iat = Number(now);
      const payload = JSON.stringify({ sub: "from-node-jose", iat, exp: iat + 600 });
      const opts = { format: "compact", fields: { typ: "JWT", alg: key.alg, kid: key.kid } };
      return jose.JWS.createSign(opts, key).update(payload).final();
    }
    case "verify": {
      const [jwks, token] = args;
      const ks = await jose.JWK.asKeyStore(JSON.parse(fs.readFileSync(jwks, "utf8")));
      const result = await jose.JWS.createVerify(ks).verify(token);
      return result.payload.toString();
    }
    default:
      throw new Error(`unknown command ${command}`);
  }
}

main(process.argv.slice(2)).then(
  (out) => console.log(out),
  (err) => {
    console.error(err && err.stack ? err.stack : err);
    process.exit(1);
  },
);
