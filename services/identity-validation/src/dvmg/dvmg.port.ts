import { KeyObject } from 'node:crypto';

export interface StartSharingRequest {
  sessionId: string;
  kind: 'BSN' | 'BSN_AND_INCOME';
  expiresAt: Date;
  returnUrl: string | null;
}

/** Port to MijnOverheid "Gegevens delen"; implemented by the SIMULATOR and by the real HTTP adapter. */
export abstract class DvmgPort {
  abstract readonly label: string;
  /** Registers the sharing session at MijnOverheid and returns where to send the person. */
  abstract startSharing(request: StartSharingRequest): Promise<{ redirectUrl: string }>;
}

/** The locally stored MijnOverheid certificate/public key deliveries are verified with. */
export class DvmgTrustStore {
  constructor(readonly key: KeyObject) {}
}
