export type RootKeyStatus = 'Active' | 'Inactive';

/** Where and when a key was last used: what an approver needs to know what will break. */
export interface KeyLastUsed {
  /** ISO-8601; absent when the key was never used. */
  date?: string;
  service?: string;
  region?: string;
}

/** One root user access key. `maskedId` is safe to show anywhere; `id` never leaves the server side logs. */
export interface RootKey {
  /** Full access key id when the read path lists it (AssumeRoot audit); absent for credential-report-only reads. */
  id?: string;
  maskedId: string;
  status: RootKeyStatus;
  createdAt?: string;
  lastUsed?: KeyLastUsed;
}

/**
 * Masks an access key id to its first four and last four characters (`AKIA…WXYZ`), enough to
 * match it with what the console shows without making the id itself searchable.
 */
export function maskAccessKeyId(id: string): string {
  if (id.length <= 8) return '*'.repeat(id.length);
  return `${id.slice(0, 4)}${'*'.repeat(id.length - 8)}${id.slice(-4)}`;
}

/** Days between the key's last use and `now`; undefined when never used. */
export function daysSinceLastUse(key: RootKey, now: Date): number | undefined {
  if (!key.lastUsed?.date) return undefined;
  const ms = now.getTime() - new Date(key.lastUsed.date).getTime();
  return Math.max(0, Math.floor(ms / 86_400_000));
}

/** A key used within this many days is "recently used": deactivate first and watch for breakage. */
export const RECENT_USE_DAYS = 30;

export function wasUsedRecently(key: RootKey, now: Date, withinDays = RECENT_USE_DAYS): boolean {
  const days = daysSinceLastUse(key, now);
  return days !== undefined && days <= withinDays;
}
