import { InvalidInputError } from '../core/errors';

/**
 * Reads a required environment variable; throws naming it when it is unset or blank. Lambda env
 * carries names and ARNs only (never secret values), so a missing one is a deployment error that
 * should fail the first invocation loudly rather than half-work.
 */
export function requireEnv(env: Record<string, string | undefined>, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new InvalidInputError(`Environment variable ${name} is not set`);
  }
  return value;
}

/** An optional environment variable; blank counts as unset. */
export function optionalEnv(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** An optional whole number, with a clear error when it is not one. */
export function intEnv(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = optionalEnv(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new InvalidInputError(`Environment variable ${name} must be a whole number (got '${raw}')`);
  }
  return value;
}
