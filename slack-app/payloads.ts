import * as z from '../functions/core/zod-mini';
import { CASE_ID_PATTERN } from '../functions/core/case';
import { InvalidInputError } from '../functions/core/errors';
import type { ExceptionModalMetadata } from '../functions/adapters/slack/blocks/exception-modal';
import { BLOCK_IDS, INPUT_IDS, stepIdFromBlockId } from '../functions/adapters/slack/blocks/ids';

/**
 * The parts of Slack payloads the listeners use, parsed at the edge. Bolt has verified the signature;
 * these schemas make sure the content is what the app sent out (a case id in the button, our own
 * modal metadata) before anything is read from the store.
 */
const caseId = z.string().check(z.regex(CASE_ID_PATTERN, 'not a case id'));
const slackId = z.string().check(z.regex(/^[A-Z0-9]{2,30}$/, 'not a Slack id'));

const user = z.object({ id: slackId, username: z.optional(z.string()), name: z.optional(z.string()) });

const blockActionSchema = z.object({
  user,
  trigger_id: z.optional(z.string()),
  channel: z.optional(z.object({ id: slackId })),
  container: z.optional(z.object({ channel_id: z.optional(slackId), message_ts: z.optional(z.string()) })),
  message: z.optional(z.object({ ts: z.string() })),
  actions: z
    .array(
      z.object({
        action_id: z.string(),
        block_id: z.optional(z.string()),
        value: caseId,
        action_ts: z.optional(z.string().check(z.maxLength(40))),
      }),
    )
    .check(z.minLength(1)),
});

export interface ButtonClick {
  caseId: string;
  userId: string;
  userName?: string;
  triggerId?: string;
  /** Block id of the clicked button's actions block (runbook steps carry their step id there). */
  blockId?: string;
  /** The message the button is on. */
  message?: { channel: string; ts: string };
  /** Slack's time of the click; a replayed request repeats it exactly. */
  actionTs?: string;
}

export function parseButtonClick(body: unknown): ButtonClick {
  const p = parseWith(blockActionSchema, body, 'button click');
  const action = p.actions[0]!;
  const channel = p.container?.channel_id ?? p.channel?.id;
  const ts = p.container?.message_ts ?? p.message?.ts;
  const name = p.user.username ?? p.user.name;
  return {
    caseId: action.value,
    userId: p.user.id,
    ...(name ? { userName: name } : {}),
    ...(p.trigger_id ? { triggerId: p.trigger_id } : {}),
    ...(action.block_id ? { blockId: action.block_id } : {}),
    ...(channel && ts ? { message: { channel, ts } } : {}),
    ...(action.action_ts ? { actionTs: action.action_ts } : {}),
  };
}

/** The runbook step a confirm button belongs to, from its block id. */
export function stepIdOf(click: ButtonClick): string {
  const stepId = click.blockId ? stepIdFromBlockId(click.blockId) : undefined;
  if (!stepId) throw new InvalidInputError('The button does not name a runbook step');
  return stepId;
}

const metadataSchema = z.object({
  caseId,
  action: z.enum(['accept-risk', 'reject']),
  channel: z.optional(slackId),
  messageTs: z.optional(z.string()),
});

const viewSubmissionSchema = z.object({
  user,
  view: z.object({
    private_metadata: z.string(),
    state: z.object({
      values: z.record(
        z.string(),
        z.record(z.string(), z.looseObject({ value: z.nullish(z.string()), selected_date: z.nullish(z.string()) })),
      ),
    }),
  }),
});

export interface ExceptionSubmission {
  metadata: ExceptionModalMetadata;
  userId: string;
  userName?: string;
  reason?: string;
  /** `YYYY-MM-DD` as the datepicker gives it. */
  date?: string;
}

export function parseExceptionSubmission(body: unknown): ExceptionSubmission {
  const p = parseWith(viewSubmissionSchema, body, 'modal submission');
  let metadata: ExceptionModalMetadata;
  try {
    metadata = parseWith(metadataSchema, JSON.parse(p.view.private_metadata), 'modal metadata');
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    throw new InvalidInputError('The modal metadata is not JSON');
  }
  const values = p.view.state.values;
  const reason = values[BLOCK_IDS.exceptionReason]?.[INPUT_IDS.reason]?.value ?? undefined;
  const date = values[BLOCK_IDS.exceptionExpiry]?.[INPUT_IDS.expiry]?.selected_date ?? undefined;
  const name = p.user.username ?? p.user.name;
  return {
    metadata,
    userId: p.user.id,
    ...(name ? { userName: name } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(date !== undefined ? { date } : {}),
  };
}

const commandSchema = z.object({
  user_id: slackId,
  user_name: z.optional(z.string()),
  command: z._default(z.string(), '/rootkey'),
  text: z._default(z.string(), ''),
});

export interface CommandInvocation {
  userId: string;
  userName?: string;
  command: string;
  /** Words after the command, trimmed and split on whitespace. */
  words: string[];
}

export function parseCommand(body: unknown): CommandInvocation {
  const p = parseWith(commandSchema, body, 'slash command');
  return {
    userId: p.user_id,
    ...(p.user_name ? { userName: p.user_name } : {}),
    command: p.command,
    words: p.text.trim().split(/\s+/).filter(Boolean),
  };
}

function parseWith<T extends z.ZodMiniType>(schema: T, input: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`);
  throw new InvalidInputError(`Unexpected ${what}: ${issues.join('; ')}`, issues);
}
