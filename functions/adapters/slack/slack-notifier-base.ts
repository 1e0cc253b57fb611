import type { WebClient } from '@slack/web-api';
import type { Case, SlackMessageRef } from '../../core/case';
import { SlackUnavailableError } from '../../core/errors';
import type { Runbook } from '../../core/runbook';
import type { SweepSummary } from '../../core/sweep-summary';
import { systemClock, type ClockPort } from '../../ports/clock';
import type { NotifierPort } from '../../ports/notifier';
import { buildApprovalRecord, buildApprovalRequest, type SlackMessage } from './blocks/approval-message';
import { buildRunbookStepMessage } from './blocks/runbook-step-message';
import { buildSweepSummary } from './blocks/sweep-summary-message';
import { buildOutcome, buildProgress, buildReminder, buildRunbookStepReminder } from './blocks/thread-messages';

export interface SlackNotifierBaseOptions {
  /** A WebClient with the bot token (and `slackApiUrl` when a stand-in or proxy is used). */
  client: WebClient;
  /** Channel id the approval requests go to (`SLACK_CHANNEL`); the bot must be a member. */
  channel: string;
  /** Who the escalating reminder mentions: a user id, a user group id, `here` or `channel`. */
  escalationMention?: string;
  /**
   * The runbook of a case. Injected, so that the functions that never render a runbook step do not
   * carry `core/runbook` in their bundles; {@link SlackNotifier} defaults it to `runbookForCase`.
   */
  runbookFor: (c: Case, now: Date) => Runbook;
  /**
   * Turns where a report was written (file path or s3:// URI) into a web address people can open,
   * or undefined when there is none (the location is then shown as text). The sandbox maps it to its
   * `/evidence/reports/` route.
   */
  reportUrl?: (location: string) => string | undefined;
  clock?: ClockPort;
}

/**
 * Posts the workflow's messages to Slack: the approval request (its `ts` becomes the thread for
 * everything after), reminders and escalation, the decision replacing the buttons, progress, runbook
 * steps and the final result. Every text built here escapes external values (blocks/escape-slack-text).
 * Messages never carry task tokens: buttons hold the case id only.
 */
export class SlackNotifierBase implements NotifierPort {
  private readonly clock: ClockPort;
  private readonly runbookFor: (c: Case, now: Date) => Runbook;

  constructor(private readonly options: SlackNotifierBaseOptions) {
    this.clock = options.clock ?? systemClock;
    this.runbookFor = options.runbookFor;
  }

  async requestApproval(c: Case): Promise<SlackMessageRef> {
    const message = buildApprovalRequest(c, this.clock.now());
    const result = await slackCall('chat.postMessage', () =>
      this.options.client.chat.postMessage({
        channel: this.options.channel,
        ...message,
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
    if (!result.channel || !result.ts) throw new Error('chat.postMessage answered without channel and ts');
    return { channel: result.channel, ts: result.ts };
  }

  async remind(c: Case, reminderNumber: number, escalate: boolean): Promise<void> {
    await this.reply(c, buildReminder(c, reminderNumber, escalate, this.options.escalationMention), escalate);
  }

  async remindRunbookStep(
    c: Case,
    step: { id: string; title: string },
    reminderNumber: number,
    escalate: boolean,
  ): Promise<void> {
    await this.reply(
      c,
      buildRunbookStepReminder(step.title, reminderNumber, escalate, this.options.escalationMention),
      escalate,
    );
  }

  async showDecision(c: Case): Promise<void> {
    const ref = c.approval?.message;
    if (ref) await this.updateApprovalMessage(ref, c);
    else await this.reply(c, buildApprovalRecord(c, this.clock.now()));
  }

  /**
   * Re-renders the approval message from the case: with buttons while it still waits for votes, as
   * the record of the decision (no buttons) otherwise.
   */
  async updateApprovalMessage(
    ref: SlackMessageRef,
    c: Case,
    evidence?: { digest: string; reportLocation?: string },
  ): Promise<void> {
    const waiting = !c.decision && c.status === 'awaiting-approval';
    const now = this.clock.now();
    const message = waiting ? buildApprovalRequest(c, now) : buildApprovalRecord(c, now, evidence);
    await slackCall('chat.update', () =>
      this.options.client.chat.update({ channel: ref.channel, ts: ref.ts, ...message }),
    );
  }

  /** A line in the thread; the approval message follows the case's status (deleting, runbook, verifying…). */
  async progress(c: Case, text: string): Promise<void> {
    await this.reply(c, buildProgress(text));
    const ref = c.approval?.message;
    if (ref && c.decision) await this.updateApprovalMessage(ref, c);
  }

  async runbookStep(c: Case, stepId: string): Promise<void> {
    await this.reply(c, buildRunbookStepMessage(c, this.runbookFor(c, this.clock.now()), stepId));
  }

  /**
   * The final result: the approval message itself is rewritten to end with the outcome and the
   * evidence digest (the top-level message always tells the case's current state), and the result
   * goes to its thread. A compliant account that never needed anyone posts nothing: with a daily
   * sweep over many accounts, the channel carries cases only.
   */
  async outcome(c: Case, evidence: { digest: string; reportLocation?: string }): Promise<void> {
    const ref = c.approval?.message;
    if (!ref && c.status === 'compliant') return;
    const shown = {
      digest: evidence.digest,
      ...(evidence.reportLocation ? { reportLocation: this.reportLink(evidence.reportLocation) } : {}),
    };
    if (ref) await this.updateApprovalMessage(ref, c, shown);
    await this.reply(c, buildOutcome(c, shown), true);
  }

  /** One top-level message per organization sweep, in the approval channel. */
  async sweepSummary(summary: SweepSummary): Promise<void> {
    const message = buildSweepSummary(summary);
    await slackCall('chat.postMessage', () =>
      this.options.client.chat.postMessage({
        channel: this.options.channel,
        ...message,
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
  }

  private reportLink(location: string): string {
    return this.options.reportUrl?.(location) ?? location;
  }

  /** Replies in the approval request's thread (or the channel when no request was posted). */
  async reply(c: Case, message: SlackMessage, broadcast = false): Promise<SlackMessageRef> {
    const ref = c.approval?.message;
    const common = { ...message, unfurl_links: false, unfurl_media: false };
    const result = await slackCall('chat.postMessage', () =>
      ref
        ? this.options.client.chat.postMessage({
            channel: ref.channel,
            thread_ts: ref.ts,
            reply_broadcast: broadcast,
            ...common,
          })
        : this.options.client.chat.postMessage({ channel: this.options.channel, ...common }),
    );
    return { channel: result.channel ?? ref?.channel ?? this.options.channel, ts: result.ts ?? '' };
  }
}

/** Slack platform errors that pass (docs.slack.dev/reference/methods/chat.postMessage, "Errors"). */
const TRANSIENT_PLATFORM_ERRORS = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

/**
 * Whether a WebClient error passes: a network error or timeout (`slack_webapi_request_error`), an
 * HTTP 5xx or 429 (`slack_webapi_http_error`), a rejected rate-limited call, or a platform error
 * Slack documents as temporary. Anything else (invalid_auth, channel_not_found, …) needs a person.
 * Read by `code`, not by class, so that it survives bundling and duplicate package copies.
 */
export function isTransientSlackError(error: unknown): boolean {
  const e = error as { code?: unknown; statusCode?: unknown; data?: { error?: unknown } } | undefined;
  switch (e?.code) {
    case 'slack_webapi_request_error':
    case 'slack_webapi_rate_limited_error':
      return true;
    case 'slack_webapi_http_error':
      return typeof e.statusCode === 'number' && (e.statusCode >= 500 || e.statusCode === 429);
    case 'slack_webapi_platform_error':
      return typeof e.data?.error === 'string' && TRANSIENT_PLATFORM_ERRORS.has(e.data.error);
    default:
      return false;
  }
}

/** Runs one Web API call; a transient failure becomes SlackUnavailableError, which the workflow retries. */
async function slackCall<T>(method: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!isTransientSlackError(error)) throw error;
    throw new SlackUnavailableError(`Slack ${method} failed and may succeed later: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
