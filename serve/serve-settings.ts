import { resolve } from 'node:path';
import { STSClient } from '@aws-sdk/client-sts';
import { InvalidInputError } from '../functions/core/errors';
import { parseSlackSecrets, parseSlackSettings, type SlackConfig } from '../functions/adapters/slack/slack-config';

/** Everything `rootkey serve` runs with, checked before anything is read from AWS or posted to Slack. */
export interface ServeSettings {
  dataDir: string;
  port: number;
  host: string;
  /** Read role for accounts AssumeRoot cannot read (the management account, standalone accounts). */
  roleName?: string;
  /** Organization sweep: at start and then every `sweepEveryMs`; off with `--no-sweep`. */
  sweep: boolean;
  sweepEveryMs: number;
  /** Security Hub: the client's Region (`undefined` = the SDK's Region), or off. */
  securityHub: { enabled: true; region?: string } | { enabled: false };
  /** KMS key that signs evidence instead of the local Ed25519 key (`EVIDENCE_SIGNING_KEY_ARN`). */
  signingKeyArn?: string;
  /** The Region the SDK resolved (env or profile): AssumeRoot needs a Regional STS endpoint. */
  region: string;
  slack: SlackConfig;
}

/** The flags as `parseArgs` returns them. */
export interface ServeFlags {
  'data-dir'?: string;
  port?: string;
  host?: string;
  'role-name'?: string;
  'sweep-every'?: string;
  'no-sweep'?: boolean;
  'security-hub-region'?: string;
  'no-security-hub'?: boolean;
}

/** Every problem with the flags and the environment, each naming the flag or variable. */
export class ServeSettingsError extends Error {
  override readonly name = 'ServeSettingsError';
  constructor(readonly problems: string[]) {
    super(
      `cannot start: ${problems.length} setting(s) missing or malformed:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
}

const DURATION_UNITS_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const;
/** A sweep more often than this would only hammer Organizations and IAM (they throttle hard). */
export const MIN_SWEEP_INTERVAL_MS = 60_000;
/** A week: Node's timers and common sense both end well before 24.8 days. */
export const MAX_SWEEP_INTERVAL_MS = 7 * 86_400_000;

/**
 * Parses a duration such as `30m`, `1h`, `1d` or `1h30m` (units d, h, m, s, largest first) into
 * milliseconds. Throws an Error whose message says what is accepted.
 */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const match = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(trimmed);
  if (!trimmed || !match || match.slice(1).every((part) => part === undefined)) {
    throw new Error(`'${text}' is not a duration: use a number with a unit, such as 30m, 1h, 1d or 1h30m`);
  }
  const [, d, h, m, s] = match;
  return (
    Number(d ?? 0) * DURATION_UNITS_MS.d +
    Number(h ?? 0) * DURATION_UNITS_MS.h +
    Number(m ?? 0) * DURATION_UNITS_MS.m +
    Number(s ?? 0) * DURATION_UNITS_MS.s
  );
}

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const KMS_KEY = /^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:(key\/[\w-]+|alias\/[\w/+=,.@-]+)$/;

/**
 * Checks the flags and the environment all at once and returns the settings, or throws
 * ServeSettingsError listing every problem (exit 2). Values of secret variables are never echoed.
 * Reads nothing from AWS and posts nothing to Slack; the only lookup is the SDK resolving the Region
 * from env or the local profile.
 */
export async function resolveServeSettings(flags: ServeFlags, env: NodeJS.ProcessEnv): Promise<ServeSettings> {
  const problems: string[] = [];

  const port = parsePortValue(flags.port ?? env.PORT ?? '3000', flags.port !== undefined ? '--port' : 'PORT', problems);
  const host = flags.host ?? '127.0.0.1';
  if (!host.trim()) problems.push('--host: an address to listen on, such as 127.0.0.1');

  const roleName = flags['role-name'];
  if (roleName !== undefined && !ROLE_NAME.test(roleName))
    problems.push(`--role-name: '${roleName}' is not an IAM role name (1–64 of letters, digits and +=,.@_-)`);

  let sweepEveryMs = 3_600_000;
  if (flags['sweep-every'] !== undefined) {
    if (flags['no-sweep']) problems.push('--sweep-every and --no-sweep: choose one');
    try {
      sweepEveryMs = parseDuration(flags['sweep-every']);
      if (sweepEveryMs < MIN_SWEEP_INTERVAL_MS || sweepEveryMs > MAX_SWEEP_INTERVAL_MS)
        problems.push(`--sweep-every: '${flags['sweep-every']}' is outside 1m to 7d`);
    } catch (error) {
      problems.push(`--sweep-every: ${(error as Error).message}`);
    }
  }

  const hubRegion = flags['security-hub-region'];
  if (hubRegion !== undefined && flags['no-security-hub'])
    problems.push('--security-hub-region and --no-security-hub: choose one');
  if (hubRegion !== undefined && !REGION.test(hubRegion))
    problems.push(`--security-hub-region: '${hubRegion}' is not a Region such as us-east-1`);

  const signingKeyArn = blankToUndefined(env.EVIDENCE_SIGNING_KEY_ARN);
  if (signingKeyArn !== undefined && !KMS_KEY.test(signingKeyArn))
    problems.push(
      'EVIDENCE_SIGNING_KEY_ARN: a KMS key or alias ARN such as arn:aws:kms:us-east-1:111122223333:key/… (unset it to sign with the local Ed25519 key)',
    );

  for (const name of Object.keys(env).filter((n) => n === 'AWS_ENDPOINT_URL' || n.startsWith('AWS_ENDPOINT_URL_'))) {
    const value = blankToUndefined(env[name]);
    if (value !== undefined && !isHttpUrl(value)) problems.push(`${name}: an http(s) URL`);
  }

  const region = await resolveRegion(env);
  if (!region)
    problems.push(
      'AWS_REGION: not set (nor in the AWS profile); set it to a Region such as us-east-1 — sts:AssumeRoot needs a Regional STS endpoint',
    );
  else if (region === 'aws-global')
    problems.push("AWS_REGION: 'aws-global' resolves the global STS endpoint, which does not serve sts:AssumeRoot");

  let slackSettings: ReturnType<typeof parseSlackSettings> | undefined;
  let slackSecrets: ReturnType<typeof parseSlackSecrets> | undefined;
  try {
    slackSettings = parseSlackSettings(env);
  } catch (error) {
    const issues = issuesOf(error);
    problems.push(...issues);
    // The schema checks "who may approve" only once every field parses: name it now as well.
    const approversSet = [env.SLACK_APPROVER_GROUP, env.SLACK_APPROVERS].some((v) => blankToUndefined(v) !== undefined);
    if (!approversSet && !issues.some((i) => i.startsWith('SLACK_APPROVER_GROUP')))
      problems.push('SLACK_APPROVER_GROUP or SLACK_APPROVERS: not set — nobody may approve otherwise');
  }
  try {
    slackSecrets = parseSlackSecrets(env);
  } catch (error) {
    problems.push(...issuesOf(error));
  }

  if (problems.length > 0 || !slackSettings || !slackSecrets || !region) throw new ServeSettingsError(problems);
  return {
    dataDir: resolve(flags['data-dir'] ?? '.rootkey'),
    port,
    host,
    ...(roleName ? { roleName } : {}),
    sweep: !flags['no-sweep'],
    sweepEveryMs,
    securityHub: flags['no-security-hub']
      ? { enabled: false }
      : { enabled: true, ...(hubRegion ? { region: hubRegion } : {}) },
    ...(signingKeyArn ? { signingKeyArn } : {}),
    region,
    slack: { ...slackSettings, ...slackSecrets },
  };
}

function parsePortValue(value: string, name: string, problems: string[]): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    problems.push(`${name}: '${value}' is not a port number from 0 to 65535`);
    return 0;
  }
  return Number(value);
}

function issuesOf(error: unknown): string[] {
  if (error instanceof InvalidInputError && error.issues.length > 0)
    return error.issues.map((issue) => issue.replace(/Invalid input: expected \w+, received undefined/, 'not set'));
  return [(error as Error).message];
}

function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The Region as the SDK resolves it (AWS_REGION, then the profile); undefined when there is none. */
async function resolveRegion(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const fromEnv = blankToUndefined(env.AWS_REGION);
  if (fromEnv) return fromEnv;
  const sts = new STSClient({});
  try {
    return await sts.config.region();
  } catch {
    return undefined;
  } finally {
    sts.destroy();
  }
}
