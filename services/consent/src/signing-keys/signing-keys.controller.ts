import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { z } from 'zod';
import { ApiResult, Public, Roles, verifyReceipt, ZodBody } from '@divit/service-kit';
import {
  JwksView,
  jwksView,
  ReceiptVerificationView,
  receiptVerificationView,
  RotationView,
  rotationView,
  SigningKeyView,
  signingKeyView,
  VerificationDto,
  verificationSchema,
} from './dto/signing-keys.dto';
import { SigningKeysService } from './signing-keys.service';

export type { ReceiptVerificationView };

/** Public keys of consent receipts (JWKS), key rotation, and receipt verification. */
@Controller()
export class SigningKeysController {
  constructor(private readonly keys: SigningKeysService) {}

  /** Every receipt signing key ever used (active and retired), as a JWKS (RFC 7517, OKP/Ed25519). */
  @Public()
  @Get('.well-known/jwks.json')
  @ApiResult(jwksView)
  jwks(): Promise<JwksView> {
    return this.keys.jwks();
  }

  /** Verifies a receipt's Ed25519 signature with the published keys (same check as offline; see README). */
  @Public()
  @Post('receipts/verification')
  @HttpCode(200)
  @ApiResult(receiptVerificationView, {
    description: 'Whether the receipt is valid, and its claims when it is.',
  })
  async verify(@ZodBody(verificationSchema) body: VerificationDto): Promise<ReceiptVerificationView> {
    const all = await this.keys.all();
    const keys = await this.keys.publicKeys();
    const result = await verifyReceipt(body.receipt, (kid) => keys.get(kid) ?? null);
    if (!result.valid) {
      // A purpose the platform does not know has always been answered as "not a receipt" here.
      const reason = result.reason === 'UNKNOWN_PURPOSE' ? 'PAYLOAD_NOT_A_RECEIPT' : result.reason;
      return { valid: false, reason, kid: null, keyRetired: null, payload: null };
    }
    const key = all.find((k) => k.kid === result.header.kid);
    return {
      valid: true,
      reason: null,
      kid: result.header.kid,
      keyRetired: key?.retiredAt != null,
      payload: result.payload,
    };
  }

  @Get('signing-keys')
  @Roles('admin', 'auditor', 'platform-operator')
  @ApiResult(z.array(signingKeyView))
  list(): Promise<SigningKeyView[]> {
    return this.keys.all();
  }

  /**
   * A new key signs from now; the previous key is retired (private key erased, public key kept and published).
   * The key signs every organisation's receipts: the platform operator only (docs/adr/0014).
   */
  @Post('signing-keys/rotation')
  @HttpCode(201)
  @Roles('platform-operator')
  @ApiResult(rotationView, { status: 201, description: 'The new active key and the retired ones.' })
  rotate(): Promise<RotationView> {
    return this.keys.rotate();
  }
}
