import type { CredentialReportSignal } from './account-posture';
import type { KeyLastUsed, RootKey } from './root-key';
import { InvalidInputError } from './errors';

/** The row IAM writes for the root user in the credential report. */
export const ROOT_ACCOUNT_ROW = '<root_account>';

/** IAM's placeholder for "no value" (never used, no key, no region…). */
const NOT_APPLICABLE = new Set(['N/A', 'no_information', 'not_supported', '']);

/**
 * Splits CSV text into rows of fields (RFC 4180: quoted fields, doubled quotes, CRLF or LF).
 * The credential report has no quoted fields today, but ARNs and user names could carry commas
 * tomorrow, and a parser that silently shifts columns would misreport a root key.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += ch;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

/** The credential report as records keyed by its header (`user`, `arn`, `access_key_1_active`, …). */
export function parseCredentialReport(csv: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(csv);
  if (!header || !header.includes('user')) {
    throw new InvalidInputError('The credential report has no header row with a "user" column');
  }
  return rows.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i] ?? ''])));
}

function value(row: Record<string, string>, column: string): string | undefined {
  const v = row[column]?.trim();
  return v === undefined || NOT_APPLICABLE.has(v) ? undefined : v;
}

function isoOrRaw(text: string): string {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? text : new Date(ms).toISOString();
}

/** Placeholder shown instead of a key id: the credential report does not contain key ids. */
export function credentialReportKeyLabel(slot: number): string {
  return `key ${slot} (id not in the credential report)`;
}

/**
 * The root user's access keys according to the credential report. A key slot exists when the key is
 * active or has a `last_rotated` date: an inactive key still has its date, an empty slot has `N/A`
 * everywhere. `last_rotated` is when the key was created or last changed, kept as `createdAt`.
 * Returns undefined when the report has no `<root_account>` row (it then says nothing about root).
 */
export function rootKeysFromCredentialReport(csv: string, generatedAt: string): CredentialReportSignal | undefined {
  const root = parseCredentialReport(csv).find((row) => row.user === ROOT_ACCOUNT_ROW);
  if (!root) return undefined;
  const keys: RootKey[] = [];
  for (const slot of [1, 2]) {
    const prefix = `access_key_${slot}`;
    const active = value(root, `${prefix}_active`) === 'true';
    const rotated = value(root, `${prefix}_last_rotated`);
    if (!active && !rotated) continue;
    const lastUsed: KeyLastUsed = {};
    const date = value(root, `${prefix}_last_used_date`);
    const service = value(root, `${prefix}_last_used_service`);
    const region = value(root, `${prefix}_last_used_region`);
    if (date) lastUsed.date = isoOrRaw(date);
    if (service) lastUsed.service = service;
    if (region) lastUsed.region = region;
    keys.push({
      maskedId: credentialReportKeyLabel(slot),
      status: active ? 'Active' : 'Inactive',
      ...(rotated ? { createdAt: isoOrRaw(rotated) } : {}),
      ...(Object.keys(lastUsed).length > 0 ? { lastUsed } : {}),
    });
  }
  return { generatedAt, keys };
}
