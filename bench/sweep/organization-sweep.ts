import type { Scenario } from '../../functions/adapters/sim/scenario';
import { parseScenario } from '../../functions/adapters/sim/scenario';
import { SimulatedOrganization } from '../../functions/adapters/sim/simulated-organization';
import { VirtualClock } from '../../functions/adapters/sim/virtual-clock';
import { DEFAULT_READ_ROLE_NAME } from '../../functions/core/shared-names';
import { AdaptiveRateLimiter, pacedRunner } from '../../functions/services/adaptive-rate-limiter';
import { DEFAULT_SCAN_CONCURRENCY, defaultScanPacing, scanAccounts } from '../../functions/services/scan-accounts';
import type { BenchmarkRow, BenchmarkSection } from '../lib/report';
import { seededRandom } from '../lib/seeded-random';
import { median, round } from '../lib/stats';
import { scanWithCredentialReports } from './credential-report-scan';
import { MemoryCaseStore } from '../../functions/adapters/local/memory-case-store';
import { DEFAULT_MAX_ATTEMPTS } from '../../functions/adapters/aws/clients';
import { synthesizeWorkflowDefinitions } from '../../local-runner/workflow-definitions';
import { DEFAULT_SETTINGS } from '../../functions/services/dependencies';
import { detectForTrigger } from '../../functions/services/detect-for-trigger';
import {
  deployedSweepShape,
  maxConcurrencyForLimit,
  simulateDeployedSweep,
  type DeployedSweepResult,
  type DeployedSweepShape,
  type SdkRetry,
} from './deployed-sweep-model';

/** The modeled organization and AWS behaviour. AWS publishes no STS/IAM request rates; these are planning figures. */
export interface SweepModel {
  accounts: number;
  /** Every n-th account has a root key. */
  keyEvery: number;
  /** Round trip of every simulated call. */
  latencyMs: number;
  perCaller: { ratePerSecond: number; burst: number };
  perAccount: { ratePerSecond: number; burst: number };
  credentialReportMs: number;
  pollIntervalMs: number;
  concurrency: number;
  roleName: string;
}

export const DEFAULT_SWEEP_MODEL: SweepModel = {
  accounts: 10_000,
  keyEvery: 100,
  latencyMs: 60,
  perCaller: { ratePerSecond: 50, burst: 50 },
  perAccount: { ratePerSecond: 10, burst: 10 },
  credentialReportMs: 2000,
  pollIntervalMs: 1000,
  concurrency: DEFAULT_SCAN_CONCURRENCY,
  roleName: DEFAULT_READ_ROLE_NAME,
};

/** Round trips measured side by side (issue #18): a fast Region-local path and a slower one. */
export const SWEEP_LATENCIES_MS = [30, 60] as const;

/** An organization of `model.accounts` accounts: the first is the management account, every `keyEvery`-th has a root key. */
export function sweepScenario(model: SweepModel): Scenario {
  const accounts = Array.from({ length: model.accounts }, (_, i) => {
    const id = String(100_000_000_000 + i);
    const hasKey = i > 0 && i % model.keyEvery === 0;
    return {
      id,
      name: i === 0 ? 'management' : `account-${String(i).padStart(5, '0')}`,
      management: i === 0,
      rootKeys: hasKey
        ? [
            {
              id: `AKIA${String(i).padStart(16, '0')}`,
              status: i % (model.keyEvery * 2) === 0 ? 'Inactive' : 'Active',
              createdAt: '2021-01-01T00:00:00Z',
            },
          ]
        : [],
    };
  });
  return parseScenario({
    description: `Benchmark organization: ${model.accounts} accounts`,
    accounts,
    limits: {
      perCaller: model.perCaller,
      perAccount: model.perAccount,
      credentialReportMs: model.credentialReportMs,
    },
    faults: { latencyMs: model.latencyMs },
  });
}

export interface SweepVariantResult {
  variant: string;
  accounts: number;
  scanned: number;
  errors: number;
  nonCompliantFound: number;
  simulatedSeconds: number;
  accountsPerSecond: number;
  /** accountsPerSecond / the sustained rate the modeled limits allow. */
  shareOfLimit: number;
  apiCalls: number;
  callsPerAccount: number;
  throttledCalls: number;
  compliantCalls: { min: number; median: number; max: number; mean: number };
  wallSeconds: number;
  limiter?: { finalRatePerSecond: number; decreases: number; throttles: number };
}

/**
 * The sustained account rate the modeled limits allow: the caller's STS budget divided by the
 * STS calls one account needs (IAM calls spread over the accounts' own quotas).
 */
export function sweepCeiling(model: SweepModel, callerCallsPerAccount: number): number {
  return model.perCaller.ratePerSecond / callerCallsPerAccount;
}

type Progress = (line: string) => void;

function summarize(
  variant: string,
  sim: SimulatedOrganization,
  results: { account: { id: string }; posture?: { status: string } }[],
  clock: VirtualClock,
  startedWall: number,
  ceiling: number,
): SweepVariantResult {
  const scanned = results.filter((r) => r.posture !== undefined);
  const compliantCalls = scanned
    .filter((r) => r.posture?.status === 'COMPLIANT')
    .map((r) => sim.callsByAccount.get(r.account.id) ?? 0);
  const apiCalls = sim.totalCalls();
  const simulatedSeconds = clock.now() / 1000;
  const accountsPerSecond = scanned.length / simulatedSeconds;
  return {
    variant,
    accounts: results.length,
    scanned: scanned.length,
    errors: results.length - scanned.length,
    nonCompliantFound: scanned.filter((r) => r.posture?.status === 'NON_COMPLIANT').length,
    simulatedSeconds,
    accountsPerSecond,
    shareOfLimit: accountsPerSecond / ceiling,
    apiCalls,
    callsPerAccount: apiCalls / results.length,
    throttledCalls: Object.values(sim.throttled).reduce((a, b) => a + b, 0),
    compliantCalls:
      compliantCalls.length > 0
        ? {
            min: Math.min(...compliantCalls),
            median: median(compliantCalls),
            max: Math.max(...compliantCalls),
            mean: compliantCalls.reduce((a, b) => a + b, 0) / compliantCalls.length,
          }
        : { min: 0, median: 0, max: 0, mean: 0 },
    wallSeconds: (Date.now() - startedWall) / 1000,
  };
}

function progressEvery(progress: Progress, label: string, step: number) {
  return (done: number, total: number) => {
    if (done > 0 && (done % step === 0 || done === total)) progress(`  ${label}: ${done}/${total} accounts`);
  };
}

/** Runs `rootkey scan`'s service with the adaptive pacing (or without) over the modeled organization. */
async function runScanner(model: SweepModel, paced: boolean, progress: Progress): Promise<SweepVariantResult> {
  const clock = new VirtualClock();
  const sim = new SimulatedOrganization(sweepScenario(model), { now: clock.now, sleep: clock.sleep });
  // Exactly the pacing `rootkey scan` passes (cli/commands/scan.ts), on the virtual clock.
  const pacing = defaultScanPacing({ now: clock.now, sleep: clock.sleep, random: seededRandom(7) });
  const limiter = pacing.limiter!;
  const started = Date.now();
  const label = `${paced ? 'rootkey scan (paced)' : 'unpaced'} at ${model.latencyMs} ms`;
  const result = await clock.run(() =>
    scanAccounts({
      organization: sim,
      reader: sim,
      roleName: model.roleName,
      concurrency: model.concurrency,
      onProgress: progressEvery(progress, label, 2500),
      ...(paced ? { pacing } : {}),
    }),
  );
  const summary = summarize(
    label,
    sim,
    result.accounts.map((r) => ('posture' in r ? { account: r.account, posture: r.posture } : { account: r.account })),
    clock,
    started,
    sweepCeiling(model, 1),
  );
  if (paced) {
    const stats = limiter.stats;
    summary.limiter = {
      finalRatePerSecond: limiter.ratePerSecond,
      decreases: stats.decreases,
      throttles: stats.throttles,
    };
  }
  return summary;
}

/** Runs the credential-report script over the same model, with the same pacing and retries. */
async function runCredentialReportScan(model: SweepModel, progress: Progress): Promise<SweepVariantResult> {
  const clock = new VirtualClock();
  const sim = new SimulatedOrganization(sweepScenario(model), { now: clock.now, sleep: clock.sleep });
  const limiter = new AdaptiveRateLimiter({ now: clock.now, sleep: clock.sleep });
  const run = pacedRunner({ limiter, now: clock.now, sleep: clock.sleep, random: seededRandom(7) });
  const started = Date.now();
  let done = 0;
  const report = progressEvery(progress, 'credential-report scan', 2500);
  const results = await clock.run(() =>
    scanWithCredentialReports(sim, {
      roleName: model.roleName,
      concurrency: model.concurrency,
      pollIntervalMs: model.pollIntervalMs,
      maxPolls: 30,
      sleep: clock.sleep,
      run: async (job) => {
        const value = await run(job);
        report(++done, model.accounts);
        return value;
      },
    }),
  );
  const summary = summarize(
    'credential-report scan, paced',
    sim,
    results.map((r) => ('posture' in r ? { account: r.account, posture: r.posture } : { account: r.account })),
    clock,
    started,
    sweepCeiling(model, 1),
  );
  summary.limiter = {
    finalRatePerSecond: limiter.ratePerSecond,
    decreases: limiter.stats.decreases,
    throttles: limiter.stats.throttles,
  };
  return summary;
}

const fmt = (n: number, digits = 1) => round(n, digits).toLocaleString('en-US');

/**
 * The SDK's standard retry mode inside each Lambda: `DEFAULT_MAX_ATTEMPTS` attempts (functions/adapters/aws/clients.ts),
 * full-jitter backoff on throttling with base 500 ms, capped at 20 s (@smithy/core retry constants
 * THROTTLING_RETRY_DELAY_BASE and MAXIMUM_RETRY_DELAY; https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
 */
export const DEPLOYED_SDK_RETRY: SdkRetry = {
  maxAttempts: DEFAULT_MAX_ATTEMPTS,
  throttlingBaseMs: 500,
  maxDelayMs: 20_000,
};

/**
 * The calls the deployed detection task makes for one compliant member account as the sweep hands it
 * over (`trigger.known`), counted by running the real service (`detectForTrigger`) against the
 * simulated organization: caller calls (STS, Organizations) and calls in the account's session (IAM).
 */
export async function detectionCallsPerCompliantAccount(
  model: SweepModel,
): Promise<{ caller: number; account: number; byApi: Record<string, number> }> {
  const clock = new VirtualClock();
  const sim = new SimulatedOrganization(sweepScenario({ ...model, accounts: 3, latencyMs: 0 }), {
    now: clock.now,
    sleep: clock.sleep,
  });
  const member = sweepScenario({ ...model, accounts: 3 }).accounts[1]!;
  const detection = await clock.run(() =>
    detectForTrigger(
      { cases: new MemoryCaseStore([]), organization: sim, reader: sim, settings: DEFAULT_SETTINGS },
      {
        source: 'sweep',
        accountId: member.id,
        detectedAt: new Date(0).toISOString(),
        known: {
          account: { name: member.name, isManagement: false },
          features: { rootCredentialsManagement: true, rootSessions: true },
        },
      },
    ),
  );
  if (!('posture' in detection) || detection.posture.status !== 'COMPLIANT') {
    throw new Error('detection of a compliant member account did not find it compliant');
  }
  const byApi = { ...sim.calls };
  const sumOf = (pick: (api: string) => boolean) =>
    Object.entries(byApi)
      .filter(([api]) => pick(api))
      .reduce((a, [, n]) => a + n, 0);
  return { caller: sumOf((api) => !api.startsWith('iam:')), account: sumOf((api) => api.startsWith('iam:')), byApi };
}

interface DeployedSweepRun {
  latencyMs: number;
  result: DeployedSweepResult;
  /** The proposed pacing on the same path: a 1 s Wait in each Map item, MaxConcurrency = limit × 1 s ÷ caller calls. */
  paced: DeployedSweepResult;
}

/** The Wait the proposed pacing puts in each Map item (Wait states take whole seconds). */
export const PACED_ITEM_SECONDS = 1;

/** The deployed per-account path at each latency, as synthesized, under the model's assumed caller limit. */
async function runDeployedSweep(
  model: SweepModel,
  progress: Progress,
): Promise<{
  shape: DeployedSweepShape;
  calls: Awaited<ReturnType<typeof detectionCallsPerCompliantAccount>>;
  runs: DeployedSweepRun[];
}> {
  progress('Deployed sweep: synthesizing the CDK app for the sweep and per-account definitions');
  const shape = deployedSweepShape(synthesizeWorkflowDefinitions());
  const calls = await detectionCallsPerCompliantAccount(model);
  const params = (latencyMs: number) => ({
    accounts: model.accounts,
    latencyMs,
    callerLimit: model.perCaller,
    callerCallsPerAccount: calls.caller,
    accountCallsPerAccount: calls.account,
    sdk: DEPLOYED_SDK_RETRY,
    random: seededRandom(11),
  });
  const pacedConcurrency = maxConcurrencyForLimit(model.perCaller.ratePerSecond, calls.caller, PACED_ITEM_SECONDS);
  const runs = SWEEP_LATENCIES_MS.map((latencyMs) => ({
    latencyMs,
    result: simulateDeployedSweep(shape, params(latencyMs)),
    paced: simulateDeployedSweep(
      { ...shape, maxConcurrency: pacedConcurrency },
      { ...params(latencyMs), itemFloorMs: PACED_ITEM_SECONDS * 1000 },
    ),
  }));
  return { shape, calls, runs };
}

function deployedRow(model: SweepModel, deployed: Awaited<ReturnType<typeof runDeployedSweep>>): BenchmarkRow {
  const { shape, calls, runs } = deployed;
  const ceiling = sweepCeiling(model, calls.caller);
  const met = runs.every((r) => r.result.failures === 0 && r.result.shareOfLimit >= 0.9);
  const per = (what: (r: DeployedSweepResult) => string) =>
    runs.map((r) => `at ${r.latencyMs} ms ${what(r.result)}`).join('; ');
  const wasted = (r: DeployedSweepResult) => `${fmt((r.throttledCalls / Math.max(1, r.callerCalls)) * 100, 0)}%`;
  const pacedConcurrency = maxConcurrencyForLimit(model.perCaller.ratePerSecond, calls.caller, PACED_ITEM_SECONDS);
  const paced = runs
    .map(
      (r) =>
        `at ${r.latencyMs} ms ${fmt(r.paced.shareOfLimit * 100)}% of the limit, ${fmt(r.paced.failures, 0)} failures, ${fmt(r.paced.throttledCalls, 0)} throttled calls`,
    )
    .join('; ');
  const pacing = shape.detectionInsideMap
    ? `detection runs inside the Map's items, so MaxConcurrency ${shape.maxConcurrency} bounds the detections in flight`
    : `each Map item only starts an execution (fire-and-forget), so MaxConcurrency ${shape.maxConcurrency} paces the starts (${fmt(shape.maxConcurrency / (SWEEP_LATENCIES_MS[0] / 1000), 0)}/s at ${SWEEP_LATENCIES_MS[0]} ms), not the detections`;
  return {
    benchmark: `Sweep, ${fmt(model.accounts, 0)} accounts: the deployed per-account path (Step Functions Distributed Map, MaxConcurrency ${shape.maxConcurrency} as synthesized; modeled)`,
    figure: per(
      (r) =>
        `${fmt(r.accountsPerSecond)} accounts/s = ${fmt(r.shareOfLimit * 100)}% of the assumed ${fmt(ceiling, 0)}/s, ${fmt(r.failures, 0)} throttling failures after retries; ${fmt(r.throttledCalls, 0)} of ${fmt(r.callerCalls, 0)} AssumeRoot calls throttled (${wasted(r)}), up to ${fmt(r.peakDetections, 0)} detections at once`,
    ),
    comparison: `${pacing}; ${calls.caller + calls.account} calls per compliant account (${Object.entries(calls.byApi)
      .map(([api, n]) => `${api} ${n}`)
      .join(
        ', ',
      )}); Retry on ${shape.detectState}: ${shape.detectRetry ? `${shape.detectRetry.intervalSeconds} s × ${shape.detectRetry.backoffRate}, ${shape.detectRetry.maxAttempts} attempts, max ${shape.detectRetry.maxDelaySeconds ?? '∞'} s, jitter ${shape.detectRetry.jitter}` : 'none'}`,
    goal: `0 throttling failures; ≥ 90% of the assumed limit (${model.perCaller.ratePerSecond} STS calls/s per caller: an assumption, not a published AWS quota)`,
    met,
    ...(met
      ? {}
      : {
          note: `${per((r) => `${fmt(r.shareOfLimit * 100)}% with ${r.failures} failures`)}. ${pacing.charAt(0).toUpperCase()}${pacing.slice(1)}. The limit is reached only by throttling: the retries (SDK, then Step Functions with full jitter) fill the bucket, and the tail of the sweep runs below it while the backoff delays grow. Proposed fix: pace the items by the limit instead of by retries: a ${PACED_ITEM_SECONDS} s Wait state in each Map item and MaxConcurrency = limit × ${PACED_ITEM_SECONDS} s ÷ caller calls per account = ${pacedConcurrency} (Little's law; with detection inside the item the Wait fills the item up to ${PACED_ITEM_SECONDS} s). Modeled on the same path: ${paced}.`,
        }),
  };
}

/** Benchmark 3: the organization sweep, ours against the credential-report scan, under modeled rate limits. */
export async function benchmarkOrganizationSweep(
  progress: Progress,
  model: SweepModel = DEFAULT_SWEEP_MODEL,
): Promise<BenchmarkSection> {
  const expectedNonCompliant = Math.floor((model.accounts - 1) / model.keyEvery);
  progress(`Organization sweep: ${model.accounts} simulated accounts, virtual clock`);
  const at = SWEEP_LATENCIES_MS.map((latencyMs) => ({ ...model, latencyMs }));
  const pacedRuns: SweepVariantResult[] = [];
  const unpacedRuns: SweepVariantResult[] = [];
  for (const m of at) {
    pacedRuns.push(await runScanner(m, true, progress));
    unpacedRuns.push(await runScanner(m, false, progress));
  }
  const paced = pacedRuns[at.findIndex((m) => m.latencyMs === model.latencyMs)] ?? pacedRuns[pacedRuns.length - 1];
  const baseline = await runCredentialReportScan(model, progress);
  const deployed = await runDeployedSweep(model, progress);
  const ceiling = sweepCeiling(model, 1);
  const throughputMet = pacedRuns.every((r) => r.shareOfLimit >= 0.9 && r.errors === 0);
  const perLatency = (runs: SweepVariantResult[], what: (r: SweepVariantResult) => string) =>
    runs.map((r, i) => `at ${at[i].latencyMs} ms ${what(r)}`).join('; ');
  const callsMet = paced.compliantCalls.median <= 3;
  const accuracy = (v: SweepVariantResult) =>
    v.nonCompliantFound === expectedNonCompliant ? 'all' : `${v.nonCompliantFound} of ${expectedNonCompliant}`;
  return {
    id: 'organization-sweep',
    title: 'Organization sweep',
    rows: [
      {
        benchmark: `Sweep, ${fmt(model.accounts, 0)} accounts: \`rootkey scan\` with the pacing it ships (${model.concurrency} in flight)`,
        figure: perLatency(
          pacedRuns,
          (r) =>
            `${fmt(r.accountsPerSecond)} accounts/s = ${fmt(r.shareOfLimit * 100)}% of the assumed ${fmt(ceiling, 0)}/s, ${fmt(r.errors, 0)} throttling failures (${fmt(r.throttledCalls, 0)} throttled calls retried)`,
        ),
        comparison: `same scanner unpaced: ${perLatency(unpacedRuns, (r) => `${fmt(r.errors, 0)} of ${fmt(r.accounts, 0)} accounts failed throttled`)}; credential-report scan (paced, 60 ms): ${fmt(baseline.accountsPerSecond)} accounts/s`,
        goal: '0 throttling failures; ≥ 90% of the assumed limit (50 STS calls/s per caller: an assumption, not a published AWS quota)',
        met: throughputMet,
        ...(throughputMet
          ? {}
          : {
              note: `${perLatency(pacedRuns, (r) => `${fmt(r.shareOfLimit * 100)}% with ${r.errors} failures`)}; see the sweep method.`,
            }),
      },
      deployedRow(model, deployed),
      {
        benchmark: 'Organization sweep: API calls per account',
        figure: `${fmt(paced.compliantCalls.median, 0)} per compliant account (median; mean ${fmt(paced.compliantCalls.mean, 2)} with throttled retries); ${fmt(paced.callsPerAccount, 2)} over all accounts`,
        comparison: `credential-report scan: ${fmt(baseline.compliantCalls.median, 0)} per compliant account (mean ${fmt(baseline.compliantCalls.mean, 2)}); ${fmt(baseline.callsPerAccount, 2)} over all`,
        goal: '≤ 3 API calls for a compliant account',
        met: callsMet,
        ...(callsMet ? {} : { note: `a compliant account took ${paced.compliantCalls.median} calls (median).` }),
      },
    ],
    details: [
      `**Model.** ${fmt(model.accounts, 0)} accounts in one simulated organization (\`SimulatedOrganization\`, the sandbox's AWS stand-in): the management account plus members, every ${model.keyEvery}th member with a root access key (${expectedNonCompliant} in all). Every call takes ${model.latencyMs} ms. Rate limits are token buckets modeled as AWS applies them: calls made with the caller's credentials (\`sts:AssumeRoot\`, \`sts:AssumeRole\`, Organizations) count against the caller's account at ${model.perCaller.ratePerSecond}/s (burst ${model.perCaller.burst}); IAM calls inside a target account's session count against that account at ${model.perAccount.ratePerSecond}/s (burst ${model.perAccount.burst}). A call over a limit is refused with \`TransientAwsError\` "Throttling: Rate exceeded", as the AWS adapters report an SDK throttling error. AWS does not publish STS or IAM request rates; these are planning figures, and the percentages are what carries over. A credential report takes ${model.credentialReportMs} ms to generate.`,
      `**Time.** The sweep runs on a virtual clock (\`functions/adapters/sim/virtual-clock.ts\`): simulated time advances only when every request is waiting, so the figures measure the pacing, not this machine, and repeat exactly. Wall time on this machine: scanner ${fmt(paced.wallSeconds)} s at ${paced.variant}, credential-report scan ${fmt(baseline.wallSeconds)} s.`,
      `**Ours.** \`scanAccounts\` with what \`rootkey scan\` passes it (\`defaultScanPacing()\`, ${model.concurrency} accounts in flight, the CLI's default): one \`AdaptiveRateLimiter\` shared by all workers (CUBIC like the SDK's adaptive retry mode: slow start, ×0.7 on throttling once per congestion episode, cubic recovery towards the last throttled rate) and up to 6 tries per account with jittered backoff. One account read is AssumeRoot (audit task policy) + GetAccountSummary + ListAccessKeys, plus GetAccessKeyLastUsed per key, so the caller's budget allows ${fmt(ceiling, 0)} accounts/s. At ${model.latencyMs} ms: final limiter rate ${fmt(paced.limiter?.finalRatePerSecond ?? 0)}/s after ${paced.limiter?.decreases ?? 0} decreases; ${fmt(paced.throttledCalls, 0)} calls were throttled and retried. Root keys found: ${accuracy(paced)}.`,
      `**Unpaced.** The same scanner with the same ${model.concurrency} accounts in flight and no \`pacing\` (each account read once, as \`rootkey scan\` did before issue #18): ${perLatency(unpacedRuns, (r) => `${fmt(r.errors, 0)} of ${fmt(r.accounts, 0)} accounts ended with a throttling error`)}.`,
      `**Deployed path (modeled).** \`bench/sweep/deployed-sweep-model.ts\` reads the definitions \`infra/\` synthesizes at run time: the sweep's Distributed Map (MaxConcurrency ${deployed.shape.maxConcurrency}; its items ${deployed.shape.detectionInsideMap ? 'run detection themselves' : 'start one per-account execution each and end'}), the task states on the way to detection (${deployed.shape.tasksBeforeDetection.join(' → ') || 'none'}, one round trip each) and the Retry entry of ${deployed.shape.detectState} for \`TransientAwsError\`. The calls per account are counted by running the detection service (\`detectForTrigger\` with the sweep's \`known\` hint) on a compliant member account of the simulated organization: ${deployed.calls.caller} with the caller's credentials, ${deployed.calls.account} in the account's session. A discrete-event simulation on a virtual clock then runs ${fmt(model.accounts, 0)} accounts: every call and task takes the stated latency; a caller call over the assumed ${model.perCaller.ratePerSecond}/s (burst ${model.perCaller.burst}) is throttled; the SDK retries it (${DEPLOYED_SDK_RETRY.maxAttempts} attempts, full jitter, base ${DEPLOYED_SDK_RETRY.throttlingBaseMs} ms, at most ${DEPLOYED_SDK_RETRY.maxDelayMs / 1000} s), then the task fails with \`TransientAwsError\` and the synthesized retrier runs it again; an account whose retries all fail is a throttling failure. Not modeled: Step Functions' own StartExecution and state-transition quotas, Lambda concurrency, the SDK's retry quota per execution environment, and the calls after detection (DynamoDB, Security Hub), which do not count against the STS limit. The proposed pacing (a Wait in each item, MaxConcurrency from the limit) runs on the same model; its share can pass 100% by the bucket's burst.`,
      `**Alternative.** A credential-report script (\`bench/sweep/credential-report-scan.ts\`) with the same concurrency, limiter and retries: AssumeRole into a read role, GenerateCredentialReport polled every ${model.pollIntervalMs} ms until COMPLETE, GetCredentialReport. It is bound by report generation time, not the rate limit; with enough concurrency it could reach the same STS ceiling, at ${fmt(baseline.compliantCalls.median, 0)} calls per account, with no key ids and data up to four hours old. Root keys found: ${accuracy(baseline)}.`,
    ],
    data: {
      model,
      latenciesMs: SWEEP_LATENCIES_MS,
      pacedRuns,
      unpacedRuns,
      baseline,
      ceilingAccountsPerSecond: ceiling,
      deployed,
    },
  };
}
