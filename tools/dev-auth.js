// Creates the local development token issuer used by `npm start` (not an identity provider):
// .stack/dev-auth/private.pem (Ed25519, never leaves this machine) and jwks.json (public key) that the
// services read through AUTH_JWKS_FILE. The demo signs its tokens with the private key.
const { createPublicKey, generateKeyPairSync } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const dir = path.resolve(process.argv[2] ?? path.join(__dirname, '..', '.stack', 'dev-auth'));
const privateFile = path.join(dir, 'private.pem');
const jwksFile = path.join(dir, 'jwks.json');
if (!fs.existsSync(privateFile) || !fs.existsSync(jwksFile)) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  fs.writeFileSync(privateFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  // Same key id rule as LocalTokenIssuer (libs/service-kit/src/auth/jwt.ts).
  const kid = `local-${Buffer.from(jwk.x, 'base64url').subarray(0, 6).toString('hex')}`;
  fs.writeFileSync(jwksFile, JSON.stringify({ keys: [{ ...jwk, kid, alg: 'EdDSA', use: 'sig' }] }, null, 2));
}
process.stdout.write(`${jwksFile}\n`);
