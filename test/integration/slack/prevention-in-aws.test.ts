import { SFNClient, SFNServiceException, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { LogLevel, type Logger } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SfnWorkflowStarter } from '../../../functions/adapters/aws/sfn-workflow-starter';
import { MemoryCaseStore } from '../../../functions/adapters/local/memory-case-store';
import { SlackApproverDirectory } from '../../../functions/adapters/slack/slack-approver-directory';
import { SlackNotifier } from '../../../functions/adapters/slack/slack-notifier';
import { SimulatedOrganization } from '../../../functions/adapters/sim/simulated-organization';
import { parseScenario } from '../../../functions/adapters/sim/scenario';
import { systemClock } from '../../../functions/ports/clock';
import { createLocalEvidence } from '../../../local-runner/local-evidence';
import { createSlackApp, type SlackApp } from '../../../slack-app/app';
import { awsSlackServices, SLACK_FUNCTION_ENV } from '../../../slack-app/aws-services';
import { PREVENTION_ACTION_ID } from '../../../functions/adapters/slack/blocks/prevention-message';
import { PreventionOfferingNotifier } from '../../../slack-app/prevention-offer-notifier';
import { caseFixture } from '../../support/workflow/case-fixture';
import { buttonClickBody, sendToSlackApp, type SlackUser } from '../../support/slack/signed-requests';
import { SlackWebApiDouble } from '../../support/slack/slack-web-api-double';
import { WorkflowCallbacksDouble } from '../../support/slack/workflow-callbacks-double';
import { eventually } from './slack-app-harness';

/**
 * "Prevent recurrence…" as the Slack function runs it in AWS (issue 17): it records the approvers'
 * votes and starts the Prevention state machine, and never applies anything itself — its services
 * carry no Organizations port at all. Step Functions is aws-sdk-client-mock.
 */

const SECRET = 'test-signing-secret-prevent-aws';
const TOKEN = 'xoxb-test-prevent-aws';
const CHANNEL = 'C0SECURITY';
const GROUP = 'S0SECURITY';
const PREVENTION_ARN = 'arn:aws:states:eu-west-1:222222222222:stateMachine:RootKeyCentral-prevention';
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
const sfnMock = mockClient(SFNClient);

async function world(requiredApprovals: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'rootkey-prevent-aws-'));
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
  // The record-outcome side: reads only; the deletion is offered because the Prevention function can.
  const offering = new PreventionOfferingNotifier(new SlackNotifier({ client, channel: CHANNEL }), {
    cases,
    evidence,
    clock: systemClock,
    organization: sim,
    reader: sim,
    policies: sim,
    credentialDeletionAvailable: true,
  });
  await offering.outcome(await cases.get(remediated.caseId), { digest: 'a'.repeat(64) });
  const app: SlackApp = createSlackApp({
    receiver: { type: 'http', port: 0, processBeforeResponse: true },
    signingSecret: SECRET,
    botToken: TOKEN,
    slackApiUrl: slack.apiUrl,
    channel: CHANNEL,
    logger: quiet,
    services: {
      cases,
      evidence,
      clock: systemClock,
      callbacks: new WorkflowCallbacksDouble(),
      approvers: new SlackApproverDirectory({ client, groupId: GROUP }),
      preventionStarter: new SfnWorkflowStarter(new SFNClient({ region: 'eu-west-1' }), PREVENTION_ARN),
    },
  });
  const { port } = await app.start();
  const url = `http://127.0.0.1:${port}/slack/events`;
  return {
    slack,
    sim,
    cases,
    caseId: remediated.caseId,
    guardrailEvents: async () =>
      ((await evidence.readCase(remediated.caseId)) as unknown as { type: string; data: { event: string } }[])
        .filter((r) => r.type === 'guardrail')
        .map((r) => r.data.event),
    click: (user: SlackUser) =>
      sendToSlackApp(
        url,
        buttonClickBody({
          user,
          actionId: PREVENTION_ACTION_ID,
          value: remediated.caseId,
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

describe('Slack in AWS: an approved "Prevent recurrence…" starts the Prevention state machine', () => {
  beforeEach(() => {
    sfnMock.reset();
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${PREVENTION_ARN}:run-1`, startDate: new Date() });
  });

  it('offers deleting root credentials although the offering function holds no remover', async () => {
    const w = await world(1);
    try {
      expect((await w.cases.get(w.caseId)).guardrail?.actions).toEqual(['attach-scp', 'delete-root-credentials']);
    } finally {
      await w.stop();
    }
  });

  it('refuses a click from someone outside the approvers group and starts nothing', async () => {
    const w = await world(1);
    try {
      await w.click(MALLORY);

      const ephemeral = await eventually(() => w.slack.callsTo('chat.postEphemeral')[0]);
      expect(ephemeral.args.user).toBe(MALLORY.id);
      expect(JSON.stringify(ephemeral.args)).toContain('Only approvers');
      expect(sfnMock).not.toHaveReceivedCommand(StartExecutionCommand);
      expect((await w.cases.get(w.caseId)).guardrail?.status).toBe('offered');
    } finally {
      await w.stop();
    }
  });

  it('with four-eyes, starts the state machine once, named after the case, after the second approver; it changes nothing itself', async () => {
    const w = await world(2);
    try {
      await w.click(ALICE);
      await eventually(() =>
        w.slack.callsTo('chat.postMessage').some((c) => JSON.stringify(c.args).includes('1 of 2 needed')),
      );
      expect(sfnMock).not.toHaveReceivedCommand(StartExecutionCommand);
      await w.click(ALICE);
      await eventually(() =>
        w.slack.callsTo('chat.postEphemeral').some((c) => JSON.stringify(c.args).includes('already counted')),
      );

      await w.click(BOB);

      await eventually(() =>
        w.slack.callsTo('chat.update').some((c) => JSON.stringify(c.args).includes('applying now')),
      );
      expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
      expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, {
        stateMachineArn: PREVENTION_ARN,
        input: JSON.stringify({ caseId: w.caseId }),
        name: `prevent-${w.caseId}`,
      });
      const c = await w.cases.get(w.caseId);
      expect(c.guardrail?.status).toBe('applying');
      expect(c.guardrail?.votes.map((v) => v.userId)).toEqual([ALICE.id, BOB.id]);
      expect(w.sim.calls['organizations:AttachPolicy']).toBeUndefined();
      expect(w.sim.calls['organizations:CreatePolicy']).toBeUndefined();
      expect(await w.guardrailEvents()).toEqual(['offered', 'vote-recorded', 'approved']);
    } finally {
      await w.stop();
    }
  });

  it('records a failed start as guardrail evidence and says so in the thread', async () => {
    sfnMock.on(StartExecutionCommand).rejects(
      new SFNServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'not authorized to perform: states:StartExecution',
      }),
    );
    const w = await world(1);
    try {
      await w.click(ALICE);

      await eventually(() =>
        w.slack.callsTo('chat.postMessage').some((c) => JSON.stringify(c.args).includes('Prevention failed')),
      );
      expect((await w.cases.get(w.caseId)).guardrail?.status).toBe('failed');
      expect(await w.guardrailEvents()).toEqual(['offered', 'approved', 'failed']);
    } finally {
      await w.stop();
    }
  });
});

describe('the Slack function in AWS', () => {
  it('starts prevention only when PREVENTION_WORKFLOW_ARN is set', () => {
    const env = {
      [SLACK_FUNCTION_ENV.casesTable]: 'rootkey-cases',
      [SLACK_FUNCTION_ENV.evidenceBucket]: 'rootkey-evidence',
      [SLACK_FUNCTION_ENV.evidenceKmsKey]: 'arn:aws:kms:eu-west-1:222222222222:key/data',
      [SLACK_FUNCTION_ENV.signingKey]: 'arn:aws:kms:eu-west-1:222222222222:key/signing',
    };
    const settings = { channel: CHANNEL, approvers: [ALICE.id] } as Parameters<typeof awsSlackServices>[1];
    const secrets = { botToken: TOKEN, signingSecret: SECRET };

    const without = awsSlackServices(env, settings)(secrets);
    const withArn = awsSlackServices(
      { ...env, [SLACK_FUNCTION_ENV.preventionWorkflowArn]: PREVENTION_ARN },
      settings,
    )(secrets);

    expect(without.preventionStarter).toBeUndefined();
    expect(without.prevention).toBeUndefined();
    expect(withArn.preventionStarter).toBeInstanceOf(SfnWorkflowStarter);
    expect(withArn.prevention).toBeUndefined();
  });
});
