import * as z from '../../core/zod-mini';
import { InvalidInputError } from '../../core/errors';

// zod/mini (with the English locale, see functions/core/zod-mini.ts): these settings are parsed in
// every Lambda function that posts to Slack, whose bundles must stay small (issue #18).

const channelId = z
  .string()
  .check(z.regex(/^[CGD][A-Z0-9]{2,20}$/, 'a Slack channel id such as C0123456789 (not a #name)'));
const userId = z.string().check(z.regex(/^[UW][A-Z0-9]{2,20}$/, 'Slack user ids such as U0123456789'));
const groupId = z
  .string()
  .check(z.regex(/^S[A-Z0-9]{2,20}$/, 'a Slack user group id such as S0123456789 (not a @handle)'));

/** Empty strings in env mean "not set" (a blank line in a .env file must not become a value). */
const optional = <T extends z.ZodMiniType>(schema: T) =>
  z.pipe(
    z.transform((v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v)),
    z.optional(schema),
  );

/** Non-secret settings, from env in every runtime (names and ids only, never secret values). */
const settingsSchema = z
  .object({
    SLACK_API_URL: optional(
      z.pipe(
        z.url({ protocol: /^https?$/, error: 'an http(s) URL such as https://slack.com/api/' }),
        z.transform((u: string) => (u.endsWith('/') ? u : `${u}/`)),
      ),
    ),
    SLACK_CHANNEL: channelId,
    SLACK_APPROVER_GROUP: optional(groupId),
    SLACK_APPROVERS: optional(
      z.pipe(
        z.pipe(
          z.string(),
          z.transform((s: string) =>
            s
              .split(',')
              .map((id) => id.trim())
              .filter(Boolean),
          ),
        ),
        z.array(userId).check(z.minLength(1, 'at least one user id')),
      ),
    ),
    REQUIRED_APPROVALS: z.pipe(
      optional(
        z.coerce.number({ error: 'a whole number' }).check(
          z.refine((n) => Number.isInteger(n), 'a whole number'),
          z.gte(1),
          z.lte(10),
        ),
      ),
      z.transform((n: number | undefined) => n ?? 1),
    ),
    SLACK_ESCALATION_MENTION: optional(
      z
        .string()
        .check(
          z.regex(
            /^(here|channel|[UW][A-Z0-9]{2,20}|S[A-Z0-9]{2,20})$/,
            'a user id, a user group id, "here" or "channel"',
          ),
        ),
    ),
  })
  .check(
    z.refine((s) => s.SLACK_APPROVER_GROUP !== undefined || s.SLACK_APPROVERS !== undefined, {
      message:
        'set SLACK_APPROVER_GROUP (a user group id) or SLACK_APPROVERS (comma-separated user ids): nobody may approve otherwise',
      path: ['SLACK_APPROVER_GROUP'],
    }),
  );

/** The two secrets, from env locally or from the Secrets Manager JSON in AWS. */
const secretsSchema = z.object({
  SLACK_SIGNING_SECRET: z.string().check(z.minLength(1, 'required (Basic Information → Signing Secret)')),
  SLACK_BOT_TOKEN: z.string().check(z.regex(/^xoxb-/, 'a bot token starting with xoxb- (OAuth & Permissions)')),
  SLACK_APP_TOKEN: optional(
    z.string().check(z.regex(/^xapp-/, 'an app-level token starting with xapp- (Socket Mode)')),
  ),
});

export interface SlackSettings {
  slackApiUrl?: string;
  channel: string;
  approverGroup?: string;
  approvers: string[];
  requiredApprovals: number;
  escalationMention?: string;
}

export interface SlackSecrets {
  signingSecret: string;
  botToken: string;
  /** Set → Socket Mode locally. */
  appToken?: string;
}

export type SlackConfig = SlackSettings & SlackSecrets;

/**
 * Reads the non-secret Slack settings from env. Throws InvalidInputError naming each bad variable
 * and what it should look like (values are never echoed: some of them sit next to secrets).
 */
export function parseSlackSettings(env: Record<string, string | undefined>): SlackSettings {
  const s = parse(settingsSchema, env, 'Slack settings');
  return {
    ...(s.SLACK_API_URL ? { slackApiUrl: s.SLACK_API_URL } : {}),
    channel: s.SLACK_CHANNEL,
    ...(s.SLACK_APPROVER_GROUP ? { approverGroup: s.SLACK_APPROVER_GROUP } : {}),
    approvers: s.SLACK_APPROVERS ?? [],
    requiredApprovals: s.REQUIRED_APPROVALS,
    ...(s.SLACK_ESCALATION_MENTION ? { escalationMention: s.SLACK_ESCALATION_MENTION } : {}),
  };
}

/** Reads the signing secret, bot token and optional app token from env (local runs, the sandbox). */
export function parseSlackSecrets(env: Record<string, string | undefined>): SlackSecrets {
  const s = parse(secretsSchema, env, 'Slack secrets');
  return {
    signingSecret: s.SLACK_SIGNING_SECRET,
    botToken: s.SLACK_BOT_TOKEN,
    ...(s.SLACK_APP_TOKEN ? { appToken: s.SLACK_APP_TOKEN } : {}),
  };
}

/** Everything a local run needs, from env. */
export function parseSlackConfig(env: Record<string, string | undefined>): SlackConfig {
  return { ...parseSlackSettings(env), ...parseSlackSecrets(env) };
}

/**
 * The Secrets Manager secret (JSON): `{"signingSecret": "…", "botToken": "…"}`; the env-style keys
 * `SLACK_SIGNING_SECRET` / `SLACK_BOT_TOKEN` are accepted too.
 */
export function parseSlackSecretValue(value: unknown): SlackSecrets {
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const pick = (...keys: string[]) => keys.map((k) => record[k]).find((v): v is string => typeof v === 'string');
  return parseSlackSecrets({
    SLACK_SIGNING_SECRET: pick('signingSecret', 'SLACK_SIGNING_SECRET'),
    SLACK_BOT_TOKEN: pick('botToken', 'SLACK_BOT_TOKEN'),
  });
}

function parse<T extends z.ZodMiniType>(schema: T, input: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`);
  throw new InvalidInputError(`Invalid ${what}: ${issues.join('; ')}`, issues);
}
