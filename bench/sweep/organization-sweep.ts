import type { Scenario } from '../../functions/adapters/sim/scenario';
import { parseScenario } from '../../functions/adapters/sim/scenario';
import { SimulatedOrganization } from '../../functions/adapters/sim/simulated-organization';
import { VirtualClock } from '../../functions/adapters/sim/virtual-clock';
import { DEFAULT_READ_ROLE_NAME } from '../../functions/core/shared-names';
import { AdaptiveRateLimiter, pacedRunner } from '../../functions/services/adaptive-rate-limiter';
import { DEFAULT_SCAN_CONCURRENCY, defaultScanPacing, scanAccounts } from '../../functions/services/scan-accounts';
import type { BenchmarkSection } from '../lib/report';
import { seededRandom } from '../lib/seeded-random';
import { median, round } from '../lib/stats';
import { scanWithCredentialReports } from './credential-report-scan';

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
      {
        benchmark: `Sweep, ${fmt(model.accounts, 0)} accounts: the deployed per-account path (Step Functions Map, one execution per account)`,
        figure: 'not measured in this run',
        comparison: '–',
        goal: '0 throttling failures; ≥ 90% of the assumed limit',
        note: "The deployed sweep paces by the Map state's MaxConcurrency and the state machine's retries, not by the CLI's limiter; it now makes ≤ 3 calls per compliant account and reads its list from S3 (ItemReader), but a model of its pacing (Map MaxConcurrency × per-execution latency, with the synthesized retriers) is not written yet: open.",
      },
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
      `**Alternative.** A credential-report script (\`bench/sweep/credential-report-scan.ts\`) with the same concurrency, limiter and retries: AssumeRole into a read role, GenerateCredentialReport polled every ${model.pollIntervalMs} ms until COMPLETE, GetCredentialReport. It is bound by report generation time, not the rate limit; with enough concurrency it could reach the same STS ceiling, at ${fmt(baseline.compliantCalls.median, 0)} calls per account, with no key ids and data up to four hours old. Root keys found: ${accuracy(baseline)}.`,
    ],
    data: {
      model,
      latenciesMs: SWEEP_LATENCIES_MS,
      pacedRuns,
      unpacedRuns,
      baseline,
      ceilingAccountsPerSecond: ceiling,
    },
  };
}
