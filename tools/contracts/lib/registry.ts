// Minimal client for the Confluent schema-registry API (as served by Apicurio under /apis/ccompat/v7).
import type { CompatibilityLevel } from '@divit/contracts/src/event-descriptor';

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export interface RegisteredVersion {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  readonly schema: string;
}

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly errorCode: number | undefined,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

export class SchemaRegistryClient {
  constructor(readonly baseUrl: string) {}

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { Accept: CONTENT_TYPE, ...(body === undefined ? {} : { 'Content-Type': CONTENT_TYPE }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
      throw new RegistryError(`schema registry unreachable at ${this.baseUrl}${cause}`, 0, undefined);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const detail = json as { message?: string; error_code?: number } | undefined;
      throw new RegistryError(
        `${method} ${path} → HTTP ${response.status}: ${detail?.message ?? text.slice(0, 300)}`,
        response.status,
        detail?.error_code,
      );
    }
    return json as T;
  }

  private static subject(subject: string): string {
    return encodeURIComponent(subject);
  }

  /** Version numbers of a subject, or undefined when the subject does not exist. */
  async versions(subject: string): Promise<number[] | undefined> {
    try {
      return await this.request<number[]>(
        'GET',
        `/subjects/${SchemaRegistryClient.subject(subject)}/versions`,
      );
    } catch (err) {
      if (err instanceof RegistryError && err.status === 404) return undefined;
      throw err;
    }
  }

  version(subject: string, version: number | 'latest'): Promise<RegisteredVersion> {
    return this.request('GET', `/subjects/${SchemaRegistryClient.subject(subject)}/versions/${version}`);
  }

  /** Registers (or finds) a schema; the registry enforces the subject's compatibility level. */
  async register(subject: string, schema: string): Promise<number> {
    const res = await this.request<{ id: number }>(
      'POST',
      `/subjects/${SchemaRegistryClient.subject(subject)}/versions`,
      {
        schema,
        schemaType: 'AVRO',
      },
    );
    return res.id;
  }

  /** The version holding this schema (registries compare canonical forms), or undefined. */
  async lookup(subject: string, schema: string): Promise<RegisteredVersion | undefined> {
    try {
      return await this.request<RegisteredVersion>(
        'POST',
        `/subjects/${SchemaRegistryClient.subject(subject)}`,
        {
          schema,
          schemaType: 'AVRO',
        },
      );
    } catch (err) {
      if (err instanceof RegistryError && err.status === 404) return undefined;
      throw err;
    }
  }

  async setCompatibility(subject: string, level: CompatibilityLevel): Promise<void> {
    await this.request('PUT', `/config/${SchemaRegistryClient.subject(subject)}`, { compatibility: level });
  }

  /** The subject's own compatibility level, or undefined when it has none (falls back to the global level). */
  async compatibility(subject: string): Promise<string | undefined> {
    try {
      const res = await this.request<{ compatibilityLevel?: string; compatibility?: string }>(
        'GET',
        `/config/${SchemaRegistryClient.subject(subject)}`,
      );
      return res.compatibilityLevel ?? res.compatibility;
    } catch (err) {
      if (err instanceof RegistryError && err.status === 404) return undefined;
      throw err;
    }
  }

  /**
   * The registry's own verdict. `against: 'all'` uses POST /compatibility/subjects/{s}/versions, which
   * applies the subject's level to every version (transitive); a version number or 'latest' tests one version.
   */
  async isCompatible(subject: string, schema: string, against: number | 'latest' | 'all'): Promise<boolean> {
    const path =
      against === 'all'
        ? `/compatibility/subjects/${SchemaRegistryClient.subject(subject)}/versions`
        : `/compatibility/subjects/${SchemaRegistryClient.subject(subject)}/versions/${against}`;
    const res = await this.request<{ is_compatible: boolean }>('POST', path, { schema, schemaType: 'AVRO' });
    return res.is_compatible;
  }

  /** Soft then hard delete (tests and tmp- experiments only). */
  async deleteSubject(subject: string): Promise<void> {
    await this.request('DELETE', `/subjects/${SchemaRegistryClient.subject(subject)}`);
    await this.request('DELETE', `/subjects/${SchemaRegistryClient.subject(subject)}?permanent=true`);
  }
}
