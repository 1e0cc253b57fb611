import { LogLevel, type Logger } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { MemoryCaseStore } from '../../../functions/adapters/local/memory-case-store';
import { SlackApproverDirectory } from '../../../functions/adapters/slack/slack-approver-directory';
import type { Case } from '../../../functions/core/case';
import { createSlackApp, type SlackApp } from '../../../slack-app/app';
import type { AckFirstOptions } from '../../../slack-app/work-after-ack';
import { manualClock } from '../../support/slack/case-fixture';
import { EvidenceRecorderDouble } from '../../support/slack/evidence-double';
import { LatentCaseStore } from '../../support/slack/latent-case-store';
import {
  buttonClickBody,
  sendToSlackApp,
  slashCommandBody,
  viewSubmissionBody,
  type SlackUser,
} from '../../support/slack/signed-requests';
import { SlackWebApiDouble } from '../../support/slack/slack-web-api-double';
import { WorkflowCallbacksDouble, WorkflowStarterDouble } from '../../support/slack/workflow-callbacks-double';

export const SIGNING_SECRET = 'test-signing-secret-8f14e45fceea167a';
export const BOT_TOKEN = 'xoxb-test-bot-token';
export const CHANNEL = 'C0SECURITY';
export const APPROVER_GROUP = 'S0SECURITY';

export const ALICE: SlackUser = { id: 'U0ALICE', name: 'alice' };
export const BOB: SlackUser = { id: 'U0BOB', name: 'bob' };
export const MALLORY: SlackUser = { id: 'U0MALLORY', name: 'mallory' };

/** Fifty approvers for the concurrency test, plus alice and bob. */
export const CROWD: SlackUser[] = Array.from({ length: 50 }, (_, i) => ({ id: `U0CROWD${i}`, name: `crowd${i}` }));

/** Keeps Bolt quiet unless a test fails for a reason worth reading. */
const quietLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

export interface SlackAppHarness {
  eventsUrl: string;
  slack: SlackWebApiDouble;
  cases: MemoryCaseStore;
  evidence: EvidenceRecorderDouble;
  callbacks: WorkflowCallbacksDouble;
  starter: WorkflowStarterDouble;
  clock: ReturnType<typeof manualClock>;
  app: SlackApp;
  click(
    user: SlackUser,
    actionId: string,
    value: string,
    extra?: { blockId?: string; messageTs?: string },
  ): Promise<{ status: number; body: string }>;
  submitView(
    user: SlackUser,
    view: Record<string, unknown>,
    reason: string | null,
    date: string | null,
  ): Promise<{ status: number; body: string }>;
  command(user: SlackUser, text: string): Promise<{ status: number; body: string }>;
  send(body: string, options?: { timestamp?: number; signature?: string }): Promise<{ status: number; body: string }>;
  stop(): Promise<void>;
}

/**
 * The Bolt app on an ephemeral loopback port (`POST /slack/events`), talking to a Web API double,
 * with an in-memory case store and doubles for evidence and the workflow. Approvers are the members
 * of a user group, resolved through the double with `usergroups.users.list`.
 */
export async function startSlackAppHarness(
  cases: Case[],
  options: { processBeforeResponse?: boolean; ackFirst?: AckFirstOptions } = {},
): Promise<SlackAppHarness> {
  const slack = new SlackWebApiDouble(BOT_TOKEN);
  slack.groups.set(APPROVER_GROUP, [ALICE.id, BOB.id, ...CROWD.map((u) => u.id)]);
  await slack.start();
  const store = new MemoryCaseStore(cases);
  const evidence = new EvidenceRecorderDouble();
  const callbacks = new WorkflowCallbacksDouble();
  const starter = new WorkflowStarterDouble();
  const clock = manualClock();
  const approvers = new SlackApproverDirectory({
    client: new WebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl, logger: quietLogger }),
    groupId: APPROVER_GROUP,
    clock,
  });
  const app = createSlackApp({
    receiver: { type: 'http', port: 0, processBeforeResponse: options.processBeforeResponse ?? true },
    signingSecret: SIGNING_SECRET,
    botToken: BOT_TOKEN,
    slackApiUrl: slack.apiUrl,
    channel: CHANNEL,
    logger: quietLogger,
    services: { cases: new LatentCaseStore(store), evidence, clock, callbacks, approvers, starter },
    ...(options.ackFirst ? { ackFirst: options.ackFirst } : {}),
  });
  const { port } = await app.start();
  const eventsUrl = `http://127.0.0.1:${port}/slack/events`;
  const send = (body: string, o: { timestamp?: number; signature?: string } = {}) =>
    sendToSlackApp(eventsUrl, body, { signingSecret: SIGNING_SECRET, ...o });
  return {
    eventsUrl,
    slack,
    cases: store,
    evidence,
    callbacks,
    starter,
    clock,
    app,
    send,
    click: (user, actionId, value, extra = {}) =>
      send(
        buttonClickBody({
          user,
          actionId,
          value,
          channel: CHANNEL,
          messageTs: extra.messageTs ?? '1780315200.000100',
          ...(extra.blockId ? { blockId: extra.blockId } : {}),
        }),
      ),
    submitView: (user, view, reason, date) =>
      send(
        viewSubmissionBody({
          user,
          view,
          values: {
            'rootkey.exception.reason': { reason: { type: 'plain_text_input', value: reason } },
            'rootkey.exception.expiry': { expiry: { type: 'datepicker', selected_date: date } },
          },
        }),
      ),
    command: (user, text) =>
      send(
        slashCommandBody({ user, text, channel: CHANNEL, responseUrl: slack.responseUrl(`${user.id}-${Date.now()}`) }),
      ),
    stop: async () => {
      await app.stop();
      await slack.stop();
    },
  };
}

/** Polls until `predicate` holds (for effects that happen after Bolt's early ack); fails after `ms`. */
export async function eventually<T>(probe: () => T | undefined | false, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
