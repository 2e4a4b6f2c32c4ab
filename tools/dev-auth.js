// Creates the local development token issuer used by `npm start` (not an identity provider):
// .stack/dev-auth/private.pem (Ed25519, never leaves this machine) and jwks.json (public key) that the
// services read through AUTH_JWKS_FILE. The demo signs its tokens with the private key.
//
//   node tools/dev-auth.js [dir]                              → creates the key pair if needed, prints the JWKS path
//   node tools/dev-auth.js token <organisationId> <role,...> [dir]   → prints a token (1 hour) for local calls, e.g.
//   node tools/dev-auth.js token platform platform-operator   → the platform operator (platform-wide operations)
//   node tools/dev-auth.js token <org-uuid> admin              → that organisation's admin (its own organisation only)
const { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

// Same list as Role/ROLES in libs/service-kit/src/auth/jwt.ts.
const ROLES = [
  'admin',
  'allocation-system',
  'auditor',
  'coordinator',
  'finance',
  'member',
  'platform-operator',
];

const minting = process.argv[2] === 'token';
const dirArg = minting ? process.argv[5] : process.argv[2];
const dir = path.resolve(dirArg ?? path.join(__dirname, '..', '.stack', 'dev-auth'));
const privateFile = path.join(dir, 'private.pem');
const jwksFile = path.join(dir, 'jwks.json');
// Same key id rule as LocalTokenIssuer (libs/service-kit/src/auth/local-token-issuer.ts).
const kidOf = (jwk) => `local-${Buffer.from(jwk.x, 'base64url').subarray(0, 6).toString('hex')}`;
if (!fs.existsSync(privateFile) || !fs.existsSync(jwksFile)) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  fs.writeFileSync(privateFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  fs.writeFileSync(
    jwksFile,
    JSON.stringify({ keys: [{ ...jwk, kid: kidOf(jwk), alg: 'EdDSA', use: 'sig' }] }, null, 2),
  );
}
if (!minting) {
  process.stdout.write(`${jwksFile}\n`);
} else {
  const organisationId = process.argv[3];
  const roles = (process.argv[4] ?? '').split(',').filter(Boolean);
  const unknown = roles.filter((r) => !ROLES.includes(r));
  if (!organisationId || roles.length === 0 || unknown.length > 0) {
    process.stderr.write(
      `usage: node tools/dev-auth.js token <organisationId> <role,...> [dir]; roles: ${ROLES.join(', ')}` +
        (unknown.length ? ` (unknown: ${unknown.join(', ')})` : '') +
        '\n',
    );
    process.exit(2);
  }
  const privateKey = createPrivateKey(fs.readFileSync(privateFile, 'utf8'));
  const kid = kidOf(createPublicKey(privateKey).export({ format: 'jwk' }));
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const header = b64({ alg: 'EdDSA', typ: 'JWT', kid });
  const payload = b64({
    iss: 'divit-local',
    aud: 'divit',
    sub: `dev-${roles.join('-')}`,
    org: organisationId,
    roles,
    iat: now,
    exp: now + 3600,
    jti: randomUUID(),
  });
  const signature = sign(null, Buffer.from(`${header}.${payload}`), privateKey).toString('base64url');
  process.stdout.write(`${header}.${payload}.${signature}\n`);
}
