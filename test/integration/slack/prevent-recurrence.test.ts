import { LogLevel, type Logger } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryCaseStore } from '../../../functions/adapters/local/memory-case-store';
import { SlackApproverDirectory } from '../../../functions/adapters/slack/slack-approver-directory';
import { SlackNotifier } from '../../../functions/adapters/slack/slack-notifier';
import { SimulatedOrganization } from '../../../functions/adapters/sim/simulated-organization';
import { parseScenario } from '../../../functions/adapters/sim/scenario';
import { AccessDeniedError } from '../../../functions/core/errors';
import { systemClock } from '../../../functions/ports/clock';
import { createLocalEvidence } from '../../../local-runner/local-evidence';
import type { PreventionDeps } from '../../../functions/services/prevent-recurrence';
import { createSlackApp, type SlackApp } from '../../../slack-app/app';
import { PREVENTION_ACTION_ID } from '../../../functions/adapters/slack/blocks/prevention-message';
import { PreventionOfferingNotifier } from '../../../slack-app/prevention-offer-notifier';
import { caseFixture } from '../../support/workflow/case-fixture';
import { buttonClickBody, sendToSlackApp, type SlackUser } from '../../support/slack/signed-requests';
import { SlackWebApiDouble } from '../../support/slack/slack-web-api-double';
import { WorkflowCallbacksDouble } from '../../support/slack/workflow-callbacks-double';
import { eventually } from './slack-app-harness';

const SECRET = 'test-signing-secret-prevent-17';
const TOKEN = 'xoxb-test-prevent';
const CHANNEL = 'C0SECURITY';
const GROUP = 'S0SECURITY';
const ALICE: SlackUser = { id: 'U0ALICE', name: 'alice' };
const BOB: SlackUser = { id: 'U0BOB', name: 'bob' };
const MALLORY: SlackUser = { id: 'U0MALLORY', name: 'mallory' };
const quiet: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

interface World {
  slack: SlackWebApiDouble;
  sim: SimulatedOrganization;
  cases: MemoryCaseStore;
  prevention: PreventionDeps;
  notifier: PreventionOfferingNotifier;
  app: SlackApp;
  click(user: SlackUser, caseId: string): Promise<{ status: number }>;
  stop(): Promise<void>;
}

async function world(
  requiredApprovals: number,
): Promise<
  World & { caseId: string; evidenceRead: (id: string) => Promise<{ type: string; data: Record<string, unknown> }[]> }
> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rootkey-prevent-slack-'));
  const slack = new SlackWebApiDouble(TOKEN);
  slack.groups.set(GROUP, [ALICE.id, BOB.id]);
  await slack.start();
  const sim = new SimulatedOrganization(
    parseScenario({
      accounts: [
        { id: '111111111111', name: 'management', management: true },
        { id: '333333333333', name: 'payments-prod' },
      ],
    }),
    { sleep: async () => undefined },
  );
  const remediated = caseFixture({
    status: 'remediated',
    requiredApprovals,
    approval: {
      requestedAt: '2026-11-28T10:00:00.000Z',
      reminders: 0,
      escalated: false,
      votes: [],
      message: { channel: CHANNEL, ts: '1780315200.000100' },
    },
  });
  const cases = new MemoryCaseStore([remediated]);
  const evidence = createLocalEvidence(dataDir);
  const client = new WebClient(TOKEN, { slackApiUrl: slack.apiUrl, logger: quiet });
  const approvers = new SlackApproverDirectory({ client, groupId: GROUP });
  const prevention: PreventionDeps = {
    cases,
    evidence,
    clock: systemClock,
    organization: sim,
    reader: sim,
    policies: sim,
    credentialsRemover: sim,
  };
  const notifier = new PreventionOfferingNotifier(new SlackNotifier({ client, channel: CHANNEL }), prevention);
  const app = createSlackApp({
    receiver: { type: 'http', port: 0, processBeforeResponse: true },
    signingSecret: SECRET,
    botToken: TOKEN,
    slackApiUrl: slack.apiUrl,
    channel: CHANNEL,
    logger: quiet,
    services: { cases, evidence, clock: systemClock, callbacks: new WorkflowCallbacksDouble(), approvers, prevention },
  });
  const { port } = await app.start();
  const url = `http://127.0.0.1:${port}/slack/events`;
  return {
    slack,
    sim,
    cases,
    prevention,
    notifier,
    app,
    caseId: remediated.caseId,
    evidenceRead: async (id) =>
      (await evidence.readCase(id)) as unknown as { type: string; data: Record<string, unknown> }[],
    click: (user, caseId) =>
      sendToSlackApp(
        url,
        buttonClickBody({
          user,
          actionId: PREVENTION_ACTION_ID,
          value: caseId,
          channel: CHANNEL,
          messageTs: '1780315299.000200',
        }),
        { signingSecret: SECRET },
      ),
    stop: async () => {
      await app.stop();
      await slack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function postedTexts(slack: SlackWebApiDouble): string[] {
  return slack.callsTo('chat.postMessage').map((c) => JSON.stringify(c.args));
}

describe('Slack: Prevent recurrence after a remediated case', () => {
  it('posts the offer in the thread after the outcome, with a button carrying only the case id', async () => {
    const w = await world(1);
    try {
      const c = await w.cases.get(w.caseId);

      await w.notifier.outcome(c, { digest: 'a'.repeat(64) });

      const posts = w.slack.callsTo('chat.postMessage');
      expect(posts).toHaveLength(2);
      const offer = JSON.stringify(posts[1].args);
      expect(posts[1].args.thread_ts).toBe('1780315200.000100');
      expect(offer).toContain('Prevent recurrence');
      expect(offer).toContain(`"action_id":"${PREVENTION_ACTION_ID}"`);
      expect(offer).toContain(`"value":"${w.caseId}"`);
      expect(offer).toContain('never apply to the management account');
      expect((await w.cases.get(w.caseId)).guardrail?.status).toBe('offered');
    } finally {
      await w.stop();
    }
  });

  it('refuses a click from someone outside the approvers group, ephemerally, changing nothing', async () => {
    const w = await world(1);
    try {
      await w.notifier.outcome(await w.cases.get(w.caseId), { digest: 'a'.repeat(64) });

      await w.click(MALLORY, w.caseId);

      const ephemeral = await eventually(() => w.slack.callsTo('chat.postEphemeral')[0]);
      expect(ephemeral.args.user).toBe(MALLORY.id);
      expect(JSON.stringify(ephemeral.args)).toContain('Only approvers');
      expect(w.sim.calls['organizations:AttachPolicy']).toBeUndefined();
    } finally {
      await w.stop();
    }
  });

  it('with four-eyes, applies only after a second approver: attaches the SCP, deletes credentials, replies with what changed', async () => {
    const w = await world(2);
    try {
      await w.notifier.outcome(await w.cases.get(w.caseId), { digest: 'a'.repeat(64) });

      await w.click(ALICE, w.caseId);
      await eventually(() => postedTexts(w.slack).some((t) => t.includes('1 of 2 needed')));
      expect(w.sim.calls['organizations:AttachPolicy']).toBeUndefined();
      await w.click(BOB, w.caseId);

      await eventually(() => postedTexts(w.slack).some((t) => t.includes('Recurrence prevented')));
      const result = postedTexts(w.slack).find((t) => t.includes('Recurrence prevented')) as string;
      expect(result).toContain('rootkey-deny-root-access-keys');
      expect(result).toContain('Deleted the remaining root credentials');
      expect(w.slack.callsTo('chat.update').some((u) => JSON.stringify(u.args).includes('Recurrence prevented'))).toBe(
        true,
      );
      expect(() => w.sim.createRootKey('333333333333')).toThrow(AccessDeniedError);
      const events = (await w.evidenceRead(w.caseId)).filter((r) => r.type === 'guardrail').map((r) => r.data.event);
      expect(events).toEqual(['offered', 'vote-recorded', 'approved', 'applied']);
    } finally {
      await w.stop();
    }
  });
});
