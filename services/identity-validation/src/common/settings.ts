/** The non-secret settings the use cases need (from the config, so services never read it whole). */
export interface IdvSettings {
  sessionTimeoutSeconds: number;
  identityDataTtlSeconds: number;
  sweepIntervalMs: number;
  returnUrl: string | null;
  dvmgSimulatorDeliveryUrl: string | null;
}

export const IDV_SETTINGS = Symbol('IDV_SETTINGS');
