/**
 * Offline verification of a consent receipt, for auditors: needs only the receipt and the JWKS (a file saved from
 * GET /.well-known/jwks.json, or its URL). No database, no service.
 *
 *   node services/consent/dist/cli/verify-receipt.js --jwks jwks.json --receipt <compact JWS>
 *   node services/consent/dist/cli/verify-receipt.js --jwks http://127.0.0.1:3002/.well-known/jwks.json --receipt-file r.txt
 *
 * Exit 0 and the payload when the Ed25519 signature is valid; exit 1 with the reason otherwise.
 */
import { readFileSync } from 'node:fs';
import { createPublicKey, KeyObject } from 'node:crypto';
import { verifyReceipt } from '@divit/service-kit';

async function main(argv: string[]): Promise<number> {
  const arg = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const jwksSource = arg('--jwks');
  const receipt =
    arg('--receipt') ??
    (arg('--receipt-file') ? readFileSync(arg('--receipt-file') ?? '', 'utf8') : undefined);
  if (!jwksSource || !receipt) {
    process.stderr.write(
      'usage: verify-receipt --jwks <file|url> (--receipt <jws> | --receipt-file <file>)\n',
    );
    return 2;
  }
  const jwksText = /^https?:\/\//.test(jwksSource)
    ? await (await fetch(jwksSource)).text()
    : readFileSync(jwksSource, 'utf8');
  const jwks = JSON.parse(jwksText) as { keys: { kid: string; kty: string; crv: string; x: string }[] };
  const keys = new Map<string, KeyObject>(
    jwks.keys.map((k) => [
      k.kid,
      createPublicKey({ key: { kty: k.kty, crv: k.crv, x: k.x }, format: 'jwk' }),
    ]),
  );
  const result = await verifyReceipt(receipt.trim(), (kid) => keys.get(kid) ?? null);
  if (!result.valid) {
    process.stdout.write(`${JSON.stringify({ valid: false, reason: result.reason })}\n`);
    return 1;
  }
  process.stdout.write(
    `${JSON.stringify({ valid: true, kid: result.header.kid, payload: result.payload }, null, 2)}\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `verify-receipt failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(2);
  },
);
