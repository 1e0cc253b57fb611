import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { recordVote } from '../../../functions/services/record-vote';
import { startSandboxServer } from '../../../sandbox/sandbox-server';
import { synthesizeWorkflowDefinitions, type WorkflowDefinitions } from '../../../functions/local/workflow-definitions';
import { ACTION_IDS } from '../../../slack-app/blocks/ids';
import { hostileJson, mutationsOf } from '../../support/reliability/json-mutations';
import { sentTexts, unexpectedMarkup } from '../../support/reliability/slack-markup-scan';
import { LambdaDeadline } from '../../support/reliability/lambda-deadline';
import {
  describeCounts,
  ReliabilityRecorder,
  type ScenarioResult,
} from '../../support/reliability/reliability-results';
import {
  accountOf,
  APPROVER,
  ReliabilityWorld,
  type FaultTally,
  type WorldOptions,
  endWaitingTasks,
} from '../../support/reliability/reliability-world';
import {
  rootCreateAccessKeyEvent,
  scheduledEvent,
  securityHubFindingEvent,
} from '../../support/reliability/trigger-events';

/**
 * Faults injected through the simulated organization and the Slack stand-in while the synthesized
 * workflow runs locally over the real handlers, 20 accounts (cases) per scenario. Whatever the fault,
 * every started case must end, and end with evidence that verifies (`requireComplete`: every case
 * has its `outcome` record); the counts go to test-results/reliability.json.
 */

jest.setTimeout(120_000);

const CASES = 20;
const recorder = new ReliabilityRecorder('workflow-faults', 'test/integration/reliability/workflow-faults.test.ts');
let definitions: WorkflowDefinitions;
let world: ReliabilityWorld | undefined;

beforeAll(() => {
  // One synthesis per file: the very definitions `cdk synth` produces (inline sweep Map for local runs).
  definitions = synthesizeWorkflowDefinitions();
}, 180_000);

afterEach(async () => {
  await world?.dispose();
  world = undefined;
});

afterAll(async () => {
  await recorder.flush();
});

async function newWorld(options: Omit<WorldOptions, 'definitions'> = {}): Promise<ReliabilityWorld> {
  world = await ReliabilityWorld.create({ definitions, ...options });
  return world;
}

/** The property every fault scenario must keep: each started case ended, with evidence that verifies. */
function nothingLost(t: FaultTally): boolean {
  return (
    t.casesEnded === t.casesStarted && t.casesWithEvidence === t.casesStarted && t.evidenceVerifies && t.openCases === 0
  );
}

function record(
  id: string,
  title: string,
  injected: string,
  tally: FaultTally,
  extra: Record<string, number> = {},
  gap?: string,
): ScenarioResult {
  return recorder.add({
    id: `faults.${id}`,
    section: 'faults',
    title,
    injected,
    outcome: `${describeCounts(tally.outcomes)}; executions: ${describeCounts(tally.executions)}`,
    counts: {
      casesStarted: tally.casesStarted,
      casesEnded: tally.casesEnded,
      casesWithEvidence: tally.casesWithEvidence,
      evidenceCases: tally.evidenceCases,
      evidenceRecords: tally.evidenceRecords,
      openCases: tally.openCases,
      ...prefixed('outcome', tally.outcomes),
      ...extra,
    },
    holds: nothingLost(tally),
    ...(gap ? { gap } : {}),
  });
}

function prefixed(prefix: string, counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([k, n]) => [`${prefix}.${k}`, n]));
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** Asserts the shared property with the numbers in the failure message. */
function expectNothingLost(tally: FaultTally): void {
  expect({
    ended: tally.casesEnded,
    withEvidence: tally.casesWithEvidence,
    evidenceProblems: tally.evidenceProblems,
    openCases: tally.openCases,
  }).toEqual({ ended: tally.casesStarted, withEvidence: tally.casesStarted, evidenceProblems: [], openCases: 0 });
  expect(tally.evidenceVerifies).toBe(true);
}

describe('the workflow under injected faults (20 cases per scenario)', () => {
  it('remediates every case when nothing fails (the control run)', async () => {
    // Prepare
    const w = await newWorld();
    // Act
    const executions = w.startAll();
    await w.settle(executions);
    // Assess
    const tally = await w.tally(executions);
    record('baseline', 'No fault (control run)', 'nothing', tally);
    expectNothingLost(tally);
    expect(tally.outcomes).toEqual({ remediated: CASES });
    expect(w.autopilotErrors).toEqual([]);
  });

  it('ends every case with verified evidence when IAM and STS throttle half of the calls', async () => {
    // Prepare
    const w = await newWorld({ faults: { throttleRate: 0.5, seed: 11 } });
    // Act
    const executions = w.startAll();
    await w.settle(executions);
    // Assess
    const tally = await w.tally(executions);
    const remediated = tally.outcomes['remediated'] ?? 0;
    record(
      'iam-sts-throttling',
      'IAM and STS throttling on half of the calls',
      'simulated organization throttleRate 0.5 (every simulated AWS call, after SDK retries)',
      tally,
      { faultsInjected: w.sim.faultsInjected, stateRetries: sum(w.retried) },
      remediated < CASES
        ? `Only ${remediated} of ${CASES} cases were remediated: 6 state-machine retries do not outlast 50% throttling over the 4-6 calls of a detection; the rest failed with evidence and need a new trigger.`
        : undefined,
    );
    expectNothingLost(tally);
    expect(w.sim.faultsInjected).toBeGreaterThan(0);
    expect(sum(w.retried)).toBeGreaterThan(0);
  });

  it('ends every case with verified evidence when AWS answers 5xx to 30% of the calls', async () => {
    // Prepare
    const w = await newWorld({ faults: { serverErrorRate: 0.3, seed: 23 } });
    // Act
    const executions = w.startAll();
    await w.settle(executions);
    // Assess
    const tally = await w.tally(executions);
    record(
      'server-errors',
      'AWS 5xx errors',
      'simulated organization serverErrorRate 0.3 (ServiceUnavailable)',
      tally,
      { faultsInjected: w.sim.faultsInjected, stateRetries: sum(w.retried) },
    );
    expectNothingLost(tally);
    expect(tally.outcomes['remediated'] ?? 0).toBeGreaterThan(0);
    expect(sum(w.retried)).toBeGreaterThan(0);
  });

  it('records a deletion that ran past the Lambda timeout as failed, and the next trigger closes the account', async () => {
    // Prepare: cases open and wait for approval with fast AWS; then AWS slows down beyond the function timeout.
    const deadline = new LambdaDeadline(20);
    const w = await newWorld({ deadline });
    w.decide = () => undefined;
    const first = w.startAll();
    expect(await w.allAwaitingApproval()).toBe(CASES);
    w.sim.setFaults({ latencyMs: 60 });
    deadline.armed = true;
    // Act: everyone approves the deletion; every DeleteKeys invocation times out.
    w.decide = () => 'delete';
    for (const c of await w.cases.list({ openOnly: true })) await approve(w, c.caseId);
    await w.settle(first);
    // The AWS calls outlive their Lambda (nothing cancels them): let the late ones land before counting.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const afterTimeout = await w.tally(first);
    const keysGoneAnyway = w.accountIds.filter((a) => w.sim.liveKeyIds(a).length === 0).length;
    // ...and a new trigger per account (the next sweep) finds out what really happened.
    deadline.armed = false;
    w.sim.setFaults({ latencyMs: 0 });
    const second = w.accountIds.map((accountId) => w.workflow.start({ source: 'sweep', accountId }));
    await w.settle(second);
    // Assess
    const tally = await w.tally([...first, ...second]);
    record(
      'lambda-timeout',
      'Latency beyond the Lambda timeout during deletion',
      'AWS latency 60 ms against a 20 ms function timeout (Lambda.Unknown) while DeleteKeys runs; then a new trigger per account',
      tally,
      {
        timedOutCalls: deadline.timedOut,
        failedAfterTimeout: afterTimeout.outcomes['failed'] ?? 0,
        keysDeletedDespiteTimeout: keysGoneAnyway,
        followUpCompliant: tally.outcomes['compliant'] ?? 0,
      },
      keysGoneAnyway > 0
        ? `${keysGoneAnyway} of ${CASES} keys were deleted although DeleteKeys timed out: the case records "failed, the key may still exist" and nothing verifies until the next trigger (Lambda.Unknown is neither retried nor followed by a verification).`
        : undefined,
    );
    expectNothingLost(tally);
    expect(afterTimeout.outcomes['failed']).toBe(CASES);
    expect(deadline.timedOut).toBeGreaterThanOrEqual(CASES);
    // The follow-up trigger finds no key where the deletion did land.
    expect(tally.outcomes['compliant'] ?? 0).toBe(keysGoneAnyway);
  });

  it('falls back to the guided runbook when centralized root access is disabled between detection and deletion', async () => {
    // Prepare
    const w = await newWorld();
    w.decide = () => undefined;
    const executions = w.startAll();
    expect(await w.allAwaitingApproval()).toBe(CASES);
    w.sim.setFeatures({ rootCredentialsManagement: false, rootSessions: false });
    // Act
    w.decide = () => 'delete';
    for (const c of await w.cases.list({ openOnly: true })) await approve(w, c.caseId);
    await w.settle(executions);
    // Assess
    const tally = await w.tally(executions);
    const all = await w.cases.list();
    const fellBack = executions.filter((e) => e.visited('FallBackToRunbook')).length;
    const variants: Record<string, number> = {};
    for (const c of all) if (c.runbook) variants[c.runbook.variant] = (variants[c.runbook.variant] ?? 0) + 1;
    const unavailableVariant = variants['console-privileged-action'] ?? 0;
    record(
      'root-access-disabled',
      'Centralized root access disabled between detection and deletion',
      'sim.setFeatures({ rootCredentialsManagement: false, rootSessions: false }) after approval was requested',
      tally,
      { fellBackToRunbook: fellBack, ...prefixed('runbookVariant', variants) },
      unavailableVariant > 0
        ? `${unavailableVariant} of ${CASES} fallback runbooks were the "console privileged action" variant, which needs the centralized root access that was just found disabled: the variant comes from the removal paths seen at detection.`
        : undefined,
    );
    expectNothingLost(tally);
    expect(fellBack).toBe(CASES);
    expect(tally.outcomes).toEqual({ remediated: CASES });
  });

  // KNOWN GAP (start-runbook uses the removal paths seen at detection): `it.failing` passes while the
  // fallback still offers the console's privileged action; make it a plain `it` once it does not.
  it.failing(
    'KNOWN GAP: offers a runbook that needs no centralized root access once deletion found it disabled',
    async () => {
      // Prepare
      const w = await newWorld({ members: 1 });
      w.decide = () => undefined;
      w.answerRunbookSteps = false;
      const [execution] = w.startAll();
      expect(await w.allAwaitingApproval()).toBe(1);
      w.sim.setFeatures({ rootCredentialsManagement: false, rootSessions: false });
      // Act
      const [c] = await w.cases.list({ openOnly: true });
      await approve(w, c!.caseId);
      await execution!.waitForState('AwaitRunbookStep');
      // Assess: privileged actions need root sessions (IAM: DisableOrganizationsRootSessions).
      const inRunbook = await w.cases.get(c!.caseId);
      expect(['root-sign-in', 'password-recovery']).toContain(inRunbook.runbook?.variant);
    },
  );

  it('does not close a case as remediated while a key re-created after deletion exists', async () => {
    // Prepare: as soon as DeleteKeys finished, somebody signs in as root and creates a new key.
    const w = await newWorld();
    const recreated = new Set<string>();
    w.workflow.on((event) => {
      if (event.type !== 'state-entered' || event.state !== 'StartVerification') return;
      const accountId = accountOf(w.workflow.execution(event.executionId)?.input);
      if (recreated.has(accountId)) return;
      recreated.add(accountId);
      w.sim.createRootKey(accountId);
    });
    // Act
    const executions = w.startAll();
    await w.settle(executions);
    // Assess
    const tally = await w.tally(executions);
    const restarted = executions.filter((e) => e.visited('RestartRunbook')).length;
    const liveKeys = w.accountIds.reduce((n, a) => n + w.sim.liveKeyIds(a).length, 0);
    record(
      'key-recreated',
      'A key re-created right after deletion',
      'sim.createRootKey(account) when verification starts',
      tally,
      { keysRecreated: recreated.size, runbookRestarted: restarted, keysLeftAtTheEnd: liveKeys },
    );
    expectNothingLost(tally);
    expect(recreated.size).toBe(CASES);
    expect(restarted).toBe(CASES);
    // "Remediated" is only ever claimed with no key left.
    expect(tally.outcomes).toEqual({ remediated: CASES });
    expect(liveKeys).toBe(0);
  });

  // KNOWN GAP (functions/local/local-workflow.ts): aborting an execution expires the waiting task's
  // token but neither rejects the task nor clears its timeout timer, so `dispose()` leaves a timer
  // that keeps the process alive for the task timeout (15 minutes in the sandbox; Jest then does not
  // exit). `it.failing` passes while the gap exists; make it a plain `it` once dispose clears it.
  it.failing('KNOWN GAP: leaves no timer behind when disposed while a task waits for a human', async () => {
    // Prepare
    const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const w = await newWorld({ members: 1, taskTimeoutMs: 1_500 });
    w.decide = () => undefined;
    const before = timeouts();
    w.startAll();
    expect(await w.allAwaitingApproval()).toBe(1);
    // Act
    w.workflow.dispose();
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Assess
    expect(timeouts()).toBe(before);
  });

  describe('with Slack: the real notifier and Bolt app over HTTP, behind a fault-injecting proxy', () => {
    it.each([
      ['server-error', 'Slack API answering 500', 8, 2_000],
      ['ratelimited', 'Slack API answering 429 ratelimited', 8, 2_000],
      ['timeout', 'Slack API not answering (client timeout)', 4, 1_000],
    ] as const)(
      'ends every case with verified evidence while the Slack API is %s for a while',
      async (fault, title, calls, clientTimeoutMs) => {
        // Prepare
        const w = await newWorld({ slack: { clientTimeoutMs } });
        const slack = w.slack!;
        slack.proxy.failNext({ fault, calls, methods: ['chat.postMessage', 'chat.update'], holdMs: 3_000 });
        // Act
        const executions = w.startAll();
        await w.settle(executions);
        // Assess
        const tally = await w.tally(executions);
        const failedToPost = tally.outcomes['failed'] ?? 0;
        record(
          `slack-${fault}`,
          title,
          `the first ${calls} chat.postMessage/chat.update calls answered ${fault} (WebClient: 2 retries, ${clientTimeoutMs} ms timeout)`,
          tally,
          { slackCallsRefused: slack.proxy.totalRefused(), slackCallsForwarded: slack.proxy.forwarded },
          failedToPost > 0
            ? `${failedToPost} case(s) failed because a Slack call failed three times in a row: the state machine does not retry Slack errors (they are not TransientAwsError), so an outage longer than the WebClient's own retries fails the case.`
            : undefined,
        );
        expectNothingLost(tally);
        expect(slack.proxy.totalRefused()).toBe(calls);
        expect(tally.outcomes['remediated'] ?? 0).toBeGreaterThan(0);
        // Whatever failed, no task token reached Slack.
        expect(leakedTokens(w)).toEqual([]);
      },
    );

    it('keeps outside text out of Slack markup and task tokens out of Slack across whole cases', async () => {
      // Prepare: account names, key metadata, the clicker's name and the exception reason are hostile.
      const hostile = (i: number) => HOSTILE[i % HOSTILE.length]!;
      const w = await newWorld({
        slack: {},
        externalText: {
          accountName: (i) => `${hostile(i)} ${i}`.slice(0, 50),
          keyUse: (i) => ({ service: hostile(i + 1), region: hostile(i + 2) }),
        },
      });
      w.clicker = { id: APPROVER.id, name: '<!channel> boss' };
      w.exceptionReason = 'Needed by <!subteam^S0EVIL> <http://evil.example|see here> @here';
      w.decide = (accountId) => (Number(accountId.slice(-2)) % 2 === 0 ? 'accept-risk' : 'delete');
      // Act
      const executions = w.startAll();
      await w.settle(executions);
      // Assess
      const tally = await w.tally(executions);
      const calls = w.slack!.double.calls;
      const findings = unexpectedMarkup(calls, { userIds: [APPROVER.id] });
      const leaked = leakedTokens(w);
      recorder.add({
        id: 'forgery.slack-markup-end-to-end',
        section: 'forgery',
        title: 'Slack markup and task tokens across whole cases (workflow + Bolt app)',
        injected: `${CASES} cases with hostile account names and key metadata, a clicker named "<!channel> boss", an exception reason with a group mention, a link and @here`,
        outcome: `${calls.length} Web API calls, ${sentTexts(calls).length} mrkdwn texts scanned: ${findings.length} unexpected mentions, broadcasts or links; ${w.cases.tokens.size} task tokens issued, ${leaked.length} sent to Slack; ${describeCounts(tally.outcomes)}`,
        counts: {
          casesStarted: tally.casesStarted,
          webApiCalls: calls.length,
          textsScanned: sentTexts(calls).length,
          injected: findings.length,
          tokensIssued: w.cases.tokens.size,
          tokensSentToSlack: leaked.length,
        },
        holds: findings.length === 0 && leaked.length === 0 && nothingLost(tally),
      });
      expectNothingLost(tally);
      expect(tally.outcomes).toEqual({ remediated: CASES / 2, 'risk-accepted': CASES / 2 });
      expect(findings.map((f) => `${f.method} ${f.path}: ${f.sequence}`)).toEqual([]);
      expect(w.cases.tokens.size).toBeGreaterThanOrEqual(CASES);
      expect(leaked).toEqual([]);
    });

    it('refuses clicks that arrive after the approval expired, and changes nothing', async () => {
      // Prepare: nobody answers; the approval times out and (no reminders) the case expires.
      const w = await newWorld({ slack: {}, settings: { maxReminders: 0 }, taskTimeoutMs: { RequestApproval: 50 } });
      w.decide = () => undefined;
      const executions = w.startAll();
      await w.settle(executions);
      const before = await w.cases.list();
      const recordsBefore = (await w.evidence.verify()).records;
      // Act: the approver clicks "Delete" on every expired request.
      const statuses: Record<string, number> = {};
      for (const c of before) {
        const { status } = await w.slack!.click(APPROVER, ACTION_IDS.delete, c.caseId);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
      // Assess
      const tally = await w.tally(executions);
      const after = await w.cases.list();
      const told = w.slack!.double.callsTo('chat.postEphemeral').filter((c) => c.args.user === APPROVER.id).length;
      const recordsAfter = (await w.evidence.verify()).records;
      record(
        'click-after-expiry',
        'A click arriving after the approval expired',
        `${before.length} signed "Delete" clicks on expired requests (approval timeout 50 ms, no reminders)`,
        tally,
        {
          lateClicks: before.length,
          requestsRefused: before.length - after.filter((c) => c.decision).length,
          clickersTold: told,
          caseChanges: after.filter((c, i) => c.version !== before[i]!.version).length,
          evidenceRecordsAdded: recordsAfter - recordsBefore,
        },
      );
      expectNothingLost(tally);
      expect(tally.outcomes).toEqual({ expired: CASES });
      expect(statuses).toEqual({ 200: CASES });
      expect(after).toEqual(before);
      expect(recordsAfter).toBe(recordsBefore);
      expect(told).toBe(CASES);
    });

    it('answers a click sent as the approval wait times out: the decision reaches the workflow or the clicker is told', async () => {
      // Prepare: the first wait times out after 100 ms; a click is sent when it does, before the reminder's new wait.
      const w = await newWorld({ slack: {}, settings: { maxReminders: 1 }, taskTimeoutMs: { RequestApproval: 100 } });
      w.decide = () => undefined;
      const clicks: Promise<{ status: number }>[] = [];
      const clicked = new Set<string>();
      w.workflow.on((event) => {
        if (event.type !== 'state-failed' || event.state !== 'RequestApproval') return;
        const accountId = accountOf(w.workflow.execution(event.executionId)?.input);
        if (clicked.has(accountId)) return;
        clicked.add(accountId);
        clicks.push(w.cases.list({ accountId }).then(([c]) => w.slack!.click(APPROVER, ACTION_IDS.delete, c!.caseId)));
      });
      // Act
      const executions = w.startAll();
      await w.settle(executions);
      const responses = await Promise.all(clicks);
      // Assess
      const tally = await w.tally(executions);
      const kept = (await w.cases.list()).filter((c) => c.decision).length;
      const told = w.slack!.double.callsTo('chat.postEphemeral').filter((c) => c.args.user === APPROVER.id).length;
      const refused = responses.length - kept;
      record(
        'click-during-timeout',
        'A click arriving just as the approval task timed out',
        'approval timeout 100 ms, one reminder; one signed "Delete" click per case sent when the first wait timed out',
        tally,
        { lateClicks: responses.length, decisionsKept: kept, clicksRefused: refused, clickersTold: told },
        refused > 0
          ? `${refused} of ${responses.length} clicks sent in the moment a wait timed out were refused ("not waiting for a decision right now") although the reminder's new wait followed at once; the approver has to click again (nobody did here, so those cases expired).`
          : undefined,
      );
      expectNothingLost(tally);
      expect(responses.every((r) => r.status === 200)).toBe(true);
      // No click vanished: each one either decided or its sender was told why not.
      expect(kept + told).toBeGreaterThanOrEqual(CASES);
    });
  });
});

/**
 * The sandbox's `POST /api/events` takes EventBridge events from outside. It lives in this file
 * because the sandbox runs the same synthesized workflow, and the synthesis is cached per process.
 */
describe('the sandbox HTTP API under fuzzed events (POST /api/events)', () => {
  it('refuses every malformed event with 400/413/415 and starts nothing for it', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'rootkey-reliability-sandbox-'));
    const sandbox = await startSandboxServer({
      dataDir,
      port: 0,
      host: '127.0.0.1',
      env: {},
      sweepOnStart: false,
      waitMs: 1,
    });
    const account = '333333333333';
    const event = fc.oneof(
      mutationsOf(securityHubFindingEvent(account)),
      mutationsOf(rootCreateAccessKeyEvent(account)),
      mutationsOf(scheduledEvent()),
      hostileJson,
    );
    const request = fc.oneof(
      { weight: 8, arbitrary: event.map((e) => ({ body: JSON.stringify(e) ?? 'null', type: 'application/json' })) },
      { weight: 1, arbitrary: event.map((e) => ({ body: JSON.stringify(e) ?? 'null', type: 'text/plain' })) },
      { weight: 1, arbitrary: fc.string({ maxLength: 50 }).map((t) => ({ body: `{${t}`, type: 'application/json' })) },
    );
    const statuses: Record<string, number> = {};
    const problems: string[] = [];
    let refused = 0;
    try {
      // Act
      await fc.assert(
        fc.asyncProperty(request, async ({ body, type }) => {
          const executionsBefore = sandbox.runtime.workflow.executions().length;
          const casesBefore = (await sandbox.runtime.cases.list()).length;
          const response = await fetch(`${sandbox.url}/api/events`, {
            method: 'POST',
            headers: { 'content-type': type },
            body,
          });
          const answer = (await response.json()) as { error?: string; started?: boolean; reason?: string };
          statuses[response.status] = (statuses[response.status] ?? 0) + 1;
          if (![200, 202, 400, 413, 415].includes(response.status))
            problems.push(`HTTP ${response.status} for ${body.slice(0, 200)}`);
          if (response.status >= 400) {
            refused += 1;
            if (!answer.error) problems.push(`HTTP ${response.status} without an error message`);
            if (sandbox.runtime.workflow.executions().length !== executionsBefore)
              problems.push(`refused but started an execution: ${body.slice(0, 200)}`);
            if ((await sandbox.runtime.cases.list()).length !== casesBefore)
              problems.push(`refused but opened a case: ${body.slice(0, 200)}`);
          }
          if (response.status === 200 && (answer.started || !answer.reason))
            problems.push(`ignored without a reason: ${body.slice(0, 200)}`);
        }),
        { numRuns: 120, seed: 20261128 },
      );
      const oversized = await fetch(`${sandbox.url}/api/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...securityHubFindingEvent(account), pad: 'x'.repeat(300_000) }),
      });
      statuses[oversized.status] = (statuses[oversized.status] ?? 0) + 1;
      if (oversized.status === 413) refused += 1;
      // Assess
      const inputs = Object.values(statuses).reduce((a, b) => a + b, 0);
      recorder.add({
        id: 'bad-input.sandbox-api-events',
        section: 'bad-input',
        title: 'Sandbox HTTP API `POST /api/events`',
        injected: `${inputs} requests: mutated Security Hub / CloudTrail / schedule events, arbitrary JSON, text/plain, broken JSON, one 300 kB body`,
        outcome: `HTTP ${describeCounts(Object.fromEntries(Object.entries(statuses).map(([k, n]) => [k, n])))}; ${problems.length} problems`,
        counts: {
          inputs,
          refused,
          started: statuses['202'] ?? 0,
          ignored: statuses['200'] ?? 0,
          problems: problems.length,
        },
        holds: problems.length === 0 && oversized.status === 413,
      });
      expect(problems).toEqual([]);
      expect(oversized.status).toBe(413);
      expect(refused).toBeGreaterThan(0);
    } finally {
      // Executions the valid events started may still wait for approval: end them first (see endWaitingTasks).
      await endWaitingTasks(sandbox.runtime.workflow);
      await sandbox.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/** Outside text that tries to become Slack markup. */
const HOSTILE = [
  '<!channel>',
  '<@U0MALLORY>',
  '<!subteam^S0EVIL>',
  '<http://evil.example|payments>',
  '@here',
  '*bold* `code`',
  '<!here|here>',
  '&lt;!channel&gt;',
];

/** Approves one case through the same service a Slack click uses. */
async function approve(w: ReliabilityWorld, caseId: string): Promise<void> {
  await recordVote(w.deps, w.workflow.callbacks, w.approvers, { caseId, userId: APPROVER.id, action: 'delete' });
}

/** Task tokens the workflow issued that appear in anything sent to Slack. */
function leakedTokens(w: ReliabilityWorld): string[] {
  const sent = w.slack!.double.everythingSent();
  return [...w.cases.tokens].filter((token) => sent.includes(token));
}
