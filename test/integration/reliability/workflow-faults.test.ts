import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { RETRY_BUDGETS } from '../../../functions/core/retry-budget';
import { recordVote } from '../../../functions/services/record-vote';
import { startSandboxServer } from '../../../sandbox/sandbox-server';
import type { WorkflowDefinitions } from '../../../local-runner/workflow-definitions';
import { testWorkflowDefinitions } from '../../support/workflow/definitions';
import { ACTION_IDS } from '../../../functions/adapters/slack/blocks/ids';
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
 * has its `outcome` record). Beyond that each scenario has a goal: a fault that clears (or that the
 * retry budgets outlast) delays a case and never changes how it ends — every case is remediated; a
 * fault beyond the budget fails the case with evidence naming it. The counts go to
 * test-results/reliability.json. Retry waits are replaced by 0 ms locally (`retryIntervalMs`), so the
 * budgets' attempts are all made, without their hour of waiting.
 */

jest.setTimeout(120_000);

const CASES = 20;
const recorder = new ReliabilityRecorder('workflow-faults', 'test/integration/reliability/workflow-faults.test.ts');
let definitions: WorkflowDefinitions;
let world: ReliabilityWorld | undefined;

beforeAll(() => {
  // One synthesis per file: the very definitions `cdk synth` produces (inline sweep Map for local runs).
  definitions = testWorkflowDefinitions();
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

/** What a scenario must achieve, beyond losing nothing; RELIABILITY.md's "holds" is computed against it. */
interface Goal {
  text: string;
  met: boolean;
}

/** The goal of a transient fault: every case remediated (the fault may only delay it). */
function allRemediated(tally: FaultTally, cases = CASES): Goal {
  return {
    text: `${cases} of ${cases} remediated`,
    met: nothingLost(tally) && (tally.outcomes['remediated'] ?? 0) === cases,
  };
}

function record(
  id: string,
  title: string,
  injected: string,
  tally: FaultTally,
  goal: Goal,
  extra: Record<string, number> = {},
): ScenarioResult {
  return recorder.add({
    id: `faults.${id}`,
    section: 'faults',
    title,
    injected,
    goal: goal.text,
    outcome: `${describeCounts(tally.outcomes)}; executions: ${describeCounts(tally.executions)}`,
    counts: {
      casesStarted: tally.casesStarted,
      casesEnded: tally.casesEnded,
      casesWithEvidence: tally.casesWithEvidence,
      evidenceCases: tally.evidenceCases,
      evidenceRecords: tally.evidenceRecords,
      evidenceVerifies: tally.evidenceVerifies ? 1 : 0,
      openCases: tally.openCases,
      remediated: tally.outcomes['remediated'] ?? 0,
      delayed: tally.delayed,
      failed: tally.outcomes['failed'] ?? 0,
      ...prefixed('outcome', tally.outcomes),
      ...extra,
    },
    holds: goal.met,
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
    record('baseline', 'No fault (control run)', 'nothing', tally, allRemediated(tally));
    expectNothingLost(tally);
    expect(tally.outcomes).toEqual({ remediated: CASES });
    expect(w.autopilotErrors).toEqual([]);
  });

  it('remediates every case when IAM and STS throttle half of the calls', async () => {
    // Prepare
    const w = await newWorld({ faults: { throttleRate: 0.5, seed: 11 } });
    // Act
    const executions = w.startAll();
    await w.settle(executions, 90_000);
    // Assess
    const tally = await w.tally(executions);
    record(
      'iam-sts-throttling',
      'IAM and STS throttling on half of the calls',
      'simulated organization throttleRate 0.5 (every simulated AWS call, after SDK retries)',
      tally,
      allRemediated(tally),
      { faultsInjected: w.sim.faultsInjected, stateRetries: sum(w.retried) },
    );
    expectNothingLost(tally);
    expect(w.sim.faultsInjected).toBeGreaterThan(0);
    expect(sum(w.retried)).toBeGreaterThan(0);
    // The fault delays cases; it never changes how they end.
    expect(tally.outcomes).toEqual({ remediated: CASES });
    expect(tally.delayed).toBeGreaterThan(0);
  });

  it('remediates every case when AWS answers 5xx to 30% of the calls', async () => {
    // Prepare
    const w = await newWorld({ faults: { serverErrorRate: 0.3, seed: 23 } });
    // Act
    const executions = w.startAll();
    await w.settle(executions, 90_000);
    // Assess
    const tally = await w.tally(executions);
    record(
      'server-errors',
      'AWS 5xx errors',
      'simulated organization serverErrorRate 0.3 (ServiceUnavailable)',
      tally,
      allRemediated(tally),
      { faultsInjected: w.sim.faultsInjected, stateRetries: sum(w.retried) },
    );
    expectNothingLost(tally);
    expect(tally.outcomes).toEqual({ remediated: CASES });
    expect(sum(w.retried)).toBeGreaterThan(0);
  });

  it('fails a case whose fault outlasts the retry budget with evidence naming it, and the next sweep remediates the account', async () => {
    // Prepare: cases wait for approval; then IAM and STS throttle every call, for good.
    const w = await newWorld();
    w.decide = () => undefined;
    const first = w.startAll();
    expect(await w.allAwaitingApproval()).toBe(CASES);
    w.sim.setFaults({ throttleRate: 1 });
    // Act: everyone approves the deletion; DeleteKeys is throttled through its whole budget.
    w.decide = () => 'delete';
    for (const c of await w.cases.list({ openOnly: true })) await approve(w, c.caseId);
    await w.settle(first, 90_000);
    const failedCases = (await w.cases.list()).filter((c) => c.status === 'failed');
    const named = failedCases.filter(
      (c) =>
        c.outcome?.error?.name === 'TransientAwsError' &&
        /TransientAwsError was retried 400 times by the state machine/.test(c.outcome.summary) &&
        /about \d+ min/.test(c.outcome.summary),
    ).length;
    const keysLeft = w.accountIds.filter((a) => w.sim.liveKeyIds(a).length > 0).length;
    // The local runner made every retry of the AWS budget (its waits replaced by 0 ms), then gave up.
    const deleteRetries = first.map((e) => e.path.find((p) => p.state === 'DeleteKeys')?.retried ?? 0);
    // ...the fault clears, and the next organization sweep opens a new case per account.
    w.sim.setFaults({ throttleRate: 0 });
    const sweep = w.workflow.startSweep();
    await sweep.result;
    const second = w.workflow.executions().filter((e) => e.kind === 'remediation' && !first.includes(e));
    await w.settle(second);
    // Assess
    const tally = await w.tally([...first, ...second]);
    const reopened = (await w.cases.list()).filter((c) => c.trigger.source === 'sweep' && c.status === 'remediated');
    record(
      'beyond-retry-budget',
      'Throttling that outlasts the retry budget, then clears',
      'simulated organization throttleRate 1 from approval on (DeleteKeys throttled through its 400 retries); then no fault and one organization sweep',
      tally,
      {
        text: `${CASES} failed with evidence naming the fault and its retry budget; the next sweep remediates all ${CASES}`,
        met: nothingLost(tally) && named === CASES && reopened.length === CASES,
      },
      { failedNamingBudget: named, keysLeftAfterFailure: keysLeft, sweepRemediated: reopened.length },
    );
    expectNothingLost(tally);
    expect(failedCases).toHaveLength(CASES);
    expect(named).toBe(CASES);
    expect(keysLeft).toBe(CASES);
    expect(deleteRetries).toEqual(first.map(() => RETRY_BUDGETS.aws.maxAttempts));
    expect(sweep.status).toBe('SUCCEEDED');
    // One execution per account of the organization: the 20 members and the (compliant) management account.
    expect(second).toHaveLength(CASES + 1);
    expect(reopened).toHaveLength(CASES);
    expect(tally.outcomes).toEqual({ failed: CASES, remediated: CASES, compliant: 1 });
    expect(w.accountIds.filter((a) => w.sim.liveKeyIds(a).length > 0)).toEqual([]);
  }, 300_000);

  it('verifies a deletion that ran past the Lambda timeout instead of failing, and remediates every case without a new trigger', async () => {
    // Prepare: cases open and wait for approval with fast AWS; then AWS slows down beyond the deletion's function timeout.
    const deadline = new LambdaDeadline(20);
    const w = await newWorld({ deadline });
    w.decide = () => undefined;
    const executions = w.startAll();
    expect(await w.allAwaitingApproval()).toBe(CASES);
    w.sim.setFaults({ latencyMs: 60 });
    deadline.armed = true;
    // Act: everyone approves the deletion; every DeleteKeys invocation times out (its AWS calls go on).
    w.decide = () => 'delete';
    for (const c of await w.cases.list({ openOnly: true })) await approve(w, c.caseId);
    await w.settle(executions);
    // Assess
    const tally = await w.tally(executions);
    const verifiedAfterTimeout = executions.filter(
      (e) => e.path.some((p) => p.state === 'DeleteKeys' && p.caught) && e.visited('VerifyRemoval'),
    ).length;
    const failurePath = executions.filter((e) => e.visited('RecordFailure')).length;
    record(
      'lambda-timeout',
      'Latency beyond the Lambda timeout during deletion',
      'AWS latency 60 ms against a 20 ms function timeout (Lambda.Unknown) on every DeleteKeys invocation; no new trigger',
      tally,
      allRemediated(tally),
      { timedOutCalls: deadline.timedOut, verifiedAfterTimeout, failurePath },
    );
    expectNothingLost(tally);
    expect(deadline.timedOut).toBeGreaterThanOrEqual(CASES);
    // Every deletion timed out; the workflow verified instead of failing, and found the keys gone.
    expect(verifiedAfterTimeout).toBe(CASES);
    expect(failurePath).toBe(0);
    expect(tally.outcomes).toEqual({ remediated: CASES });
    expect(w.accountIds.filter((a) => w.sim.liveKeyIds(a).length > 0)).toEqual([]);
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
      {
        text: `${CASES} of ${CASES} remediated through a runbook that needs no centralized root access`,
        met: allRemediated(tally).met && unavailableVariant === 0,
      },
      { fellBackToRunbook: fellBack, ...prefixed('runbookVariant', variants) },
    );
    expectNothingLost(tally);
    expect(fellBack).toBe(CASES);
    expect(tally.outcomes).toEqual({ remediated: CASES });
    expect(unavailableVariant).toBe(0);
  });

  it('offers a runbook that needs no centralized root access once deletion found it disabled', async () => {
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
    expect(inRunbook.removalPaths).not.toContain('console-privileged-action');
  });

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
      allRemediated(tally),
      { keysRecreated: recreated.size, runbookRestarted: restarted, keysLeftAtTheEnd: liveKeys },
    );
    expectNothingLost(tally);
    expect(recreated.size).toBe(CASES);
    expect(restarted).toBe(CASES);
    // "Remediated" is only ever claimed with no key left.
    expect(tally.outcomes).toEqual({ remediated: CASES });
    expect(liveKeys).toBe(0);
  });

  // Aborting an execution ends its waiting task and clears the task's timeout timer (15 minutes in
  // the sandbox), which would otherwise keep the process (and Jest) alive.
  it('leaves no timer behind when disposed while a task waits for a human', async () => {
    // Prepare: follow the timers with the waiting task's timeout (1.5 s) and which of them are cleared.
    const taskTimers: unknown[] = [];
    const cleared = new Set<unknown>();
    const realSetTimeout = global.setTimeout;
    const realClearTimeout = global.clearTimeout;
    const setSpy = jest.spyOn(global, 'setTimeout').mockImplementation(((
      fn: (...args: unknown[]) => void,
      ms?: number,
      ...args: unknown[]
    ) => {
      const timer = realSetTimeout(fn, ms, ...args);
      if (ms === 1_500) taskTimers.push(timer);
      return timer;
    }) as typeof setTimeout);
    const clearSpy = jest.spyOn(global, 'clearTimeout').mockImplementation(((timer?: NodeJS.Timeout) => {
      cleared.add(timer);
      realClearTimeout(timer);
    }) as typeof clearTimeout);
    try {
      const w = await newWorld({ members: 1, taskTimeoutMs: 1_500 });
      w.decide = () => undefined;
      const [execution] = w.startAll();
      expect(await w.allAwaitingApproval()).toBe(1);
      // The task's timer starts once its handler (storing the token, posting the request) returned.
      for (let i = 0; i < 100 && taskTimers.length === 0; i += 1) {
        await new Promise((resolve) => realSetTimeout(resolve, 10));
      }
      expect(taskTimers.length).toBeGreaterThan(0);
      // Act
      w.workflow.dispose();
      const result = await execution!.result;
      // Assess: the execution ended and every timer its waiting task started is cleared.
      expect(result.status).toBe('ABORTED');
      expect(taskTimers.filter((t) => !cleared.has(t))).toEqual([]);
      expect(w.workflow.callbacks.waiting()).toEqual([]);
    } finally {
      setSpy.mockRestore();
      clearSpy.mockRestore();
    }
  });

  describe('with Slack: the real notifier and Bolt app over HTTP, behind a fault-injecting proxy', () => {
    it.each([
      ['server-error', 'Slack API answering 500', 8, 2_000],
      ['ratelimited', 'Slack API answering 429 ratelimited', 8, 2_000],
      ['timeout', 'Slack API not answering (client timeout)', 4, 1_000],
    ] as const)(
      'remediates every case while the Slack API is %s for a while',
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
          allRemediated(tally),
          {
            slackCallsRefused: slack.proxy.totalRefused(),
            slackCallsForwarded: slack.proxy.forwarded,
            slackRetries: w.retried['RequestApproval'] ?? 0,
          },
        );
        expectNothingLost(tally);
        expect(slack.proxy.totalRefused()).toBe(calls);
        expect(failedToPost).toBe(0);
        expect(tally.outcomes).toEqual({ remediated: CASES });
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
      const changed = after.filter((c, i) => c.version !== before[i]!.version).length;
      record(
        'click-after-expiry',
        'A click arriving after the approval expired',
        `${before.length} signed "Delete" clicks on expired requests (approval timeout 50 ms, no reminders)`,
        tally,
        {
          text: `${CASES} expired; every click refused and its sender told; nothing changed`,
          met:
            nothingLost(tally) &&
            (tally.outcomes['expired'] ?? 0) === CASES &&
            changed === 0 &&
            recordsAfter === recordsBefore &&
            told === CASES,
        },
        {
          lateClicks: before.length,
          requestsRefused: before.length - after.filter((c) => c.decision).length,
          clickersTold: told,
          caseChanges: changed,
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

    it('keeps a click sent as the approval wait times out and delivers it to the next wait: every case remediated', async () => {
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
      record(
        'click-during-timeout',
        'A click arriving just as the approval task timed out',
        'approval timeout 100 ms, one reminder; one signed "Delete" click per case sent when the first wait timed out',
        tally,
        allRemediated(tally),
        {
          lateClicks: responses.length,
          decisionsKept: kept,
          clicksRefused: responses.length - kept,
          clickersTold: told,
        },
      );
      expectNothingLost(tally);
      expect(responses).toHaveLength(CASES);
      expect(responses.every((r) => r.status === 200)).toBe(true);
      // Every late click was kept on its case and reached the workflow at the next wait.
      expect(kept).toBe(CASES);
      expect(tally.outcomes).toEqual({ remediated: CASES });
      expect(executions.every((e) => e.status === 'SUCCEEDED')).toBe(true);
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
