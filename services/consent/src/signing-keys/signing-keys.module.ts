import { Module } from '@nestjs/common';
import { SigningKeysController } from './signing-keys.controller';
import { SigningKeysRepository } from './signing-keys.repository';
import { SigningKeysService } from './signing-keys.service';

/** The receipt signing keys: creation, rotation, JWKS and receipt verification. */
@Module({
  controllers: [SigningKeysController],
  providers: [SigningKeysRepository, SigningKeysService],
  exports: [SigningKeysService],
})
export class SigningKeysModule {}
