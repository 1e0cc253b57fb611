import { TokenBucket, type TokenBucketRate } from '../../functions/core/token-bucket';
import { functionNameOf } from '../../local-runner/definition-extraction';
import type { WorkflowDefinitions } from '../../local-runner/workflow-definitions';

/**
 * A model of the deployed sweep's pacing (issue #18): the Distributed Map as synthesized
 * (MaxConcurrency, what its item processor does), the per-account path up to the detection task
 * with that task's synthesized Retry policy, the SDK's own retries inside the Lambda, and an
 * ASSUMED rate limit on the calls made with the central caller's credentials (`sts:AssumeRoot`).
 * It runs on a virtual clock in one process: a discrete-event simulation, seeded, so it repeats.
 */

type Json = Record<string, unknown>;

/** A Step Functions Retry entry (the fields the model uses). */
export interface RetryPolicy {
  intervalSeconds: number;
  backoffRate: number;
  maxAttempts: number;
  maxDelaySeconds?: number;
  jitter: 'FULL' | 'NONE';
}

/** What the model reads from the synthesized definitions. */
export interface DeployedSweepShape {
  /** The Distributed Map's MaxConcurrency (0: no limit, which AWS caps at 10,000 child executions). */
  maxConcurrency: number;
  /** True when the Map's item processor runs detection itself; false when it starts one execution per account. */
  detectionInsideMap: boolean;
  /** Task states before detection on the per-account path (each one Lambda invocation or API call). */
  tasksBeforeDetection: string[];
  /** The detection state's Retry entry for `TransientAwsError` (the error a throttled SDK call becomes). */
  detectRetry?: RetryPolicy;
  detectState: string;
}

/** The task whose function reads the account (the calls that count against the assumed limit). */
export const DETECT_FUNCTION = 'detect-root-keys';

const statesOf = (machine: Json) => (machine['States'] ?? {}) as Record<string, Json>;

function lambdaFunctionOf(state: Json): string | undefined {
  const resource = String(state['Resource'] ?? '');
  if (resource.includes(':function:')) return functionNameOf(resource);
  const name = (state['Parameters'] as Json | undefined)?.['FunctionName'];
  return typeof name === 'string' && resource.includes(':lambda:') ? functionNameOf(name) : undefined;
}

/**
 * Follows a machine from its StartAt along `Next` (a Choice along its `Default`) until `stop`
 * matches a state, and returns the task states passed on the way and the matched one.
 */
function walk(machine: Json, stop: (state: Json) => boolean): { before: [string, Json][]; found?: [string, Json] } {
  const states = statesOf(machine);
  const before: [string, Json][] = [];
  const seen = new Set<string>();
  let name = machine['StartAt'] as string | undefined;
  while (name && !seen.has(name)) {
    seen.add(name);
    const state = states[name];
    if (!state) break;
    if (stop(state)) return { before, found: [name, state] };
    if (state['Type'] === 'Task') before.push([name, state]);
    if (state['End'] === true) break;
    name = (state['Type'] === 'Choice' ? state['Default'] : state['Next']) as string | undefined;
  }
  return { before };
}

function retryFor(state: Json, error: string): RetryPolicy | undefined {
  const entries = (state['Retry'] as Json[] | undefined) ?? [];
  const entry = entries.find((r) => (r['ErrorEquals'] as string[]).some((e) => e === error || e === 'States.ALL'));
  if (!entry) return undefined;
  return {
    intervalSeconds: Number(entry['IntervalSeconds'] ?? 1),
    backoffRate: Number(entry['BackoffRate'] ?? 2),
    maxAttempts: Number(entry['MaxAttempts'] ?? 3),
    ...(entry['MaxDelaySeconds'] !== undefined ? { maxDelaySeconds: Number(entry['MaxDelaySeconds']) } : {}),
    jitter: entry['JitterStrategy'] === 'FULL' ? 'FULL' : 'NONE',
  };
}

/** Reads the sweep's shape from the definitions `infra/` synthesizes, whatever the state names. */
export function deployedSweepShape(definitions: WorkflowDefinitions): DeployedSweepShape {
  const map = Object.values(statesOf(definitions.sweep.definition)).find(
    (s) => s['Type'] === 'Map' && s['ItemProcessor'] !== undefined,
  );
  if (!map) throw new Error('the sweep definition has no Map state');
  const processor = map['ItemProcessor'] as Json;
  const isDetect = (s: Json) => lambdaFunctionOf(s) === DETECT_FUNCTION;
  const inMap = walk(processor, (s) => isDetect(s) || String(s['Resource'] ?? '').includes('states:startExecution'));
  if (!inMap.found) throw new Error('the sweep Map neither detects nor starts an execution per account');
  let detection: { before: [string, Json][]; found?: [string, Json] };
  const detectionInsideMap = isDetect(inMap.found[1]);
  if (detectionInsideMap) {
    detection = inMap;
  } else {
    const rest = walk(definitions.remediation.definition, isDetect);
    detection = {
      before: [...inMap.before, inMap.found, ...rest.before],
      ...(rest.found ? { found: rest.found } : {}),
    };
  }
  if (!detection.found) throw new Error(`no ${DETECT_FUNCTION} task on the per-account path`);
  const detectRetry = retryFor(detection.found[1], 'TransientAwsError');
  return {
    maxConcurrency: Number(map['MaxConcurrency'] ?? 0),
    detectionInsideMap,
    tasksBeforeDetection: detection.before.map(([name]) => name),
    ...(detectRetry ? { detectRetry } : {}),
    detectState: detection.found[0],
  };
}

/** The SDK's standard retry mode as the installed @smithy/core implements it (retry/index.js constants). */
export interface SdkRetry {
  maxAttempts: number;
  /** Backoff base for throttling errors (`THROTTLING_RETRY_DELAY_BASE`), milliseconds. */
  throttlingBaseMs: number;
  /** `MAXIMUM_RETRY_DELAY`, milliseconds. */
  maxDelayMs: number;
}

export interface DeployedSweepParams {
  accounts: number;
  latencyMs: number;
  /** The ASSUMED limit on the caller's STS calls (not a published AWS quota). */
  callerLimit: TokenBucketRate;
  /** Calls one compliant account's detection makes: with the caller's credentials, then in the account's session. */
  callerCallsPerAccount: number;
  accountCallsPerAccount: number;
  sdk: SdkRetry;
  random: () => number;
  /**
   * A floor on each Map item's duration, milliseconds: a Wait state in the item processor (the
   * proposed pacing, not the deployed one). With MaxConcurrency M it caps the items at M per floor.
   */
  itemFloorMs?: number;
}

export interface DeployedSweepResult {
  accounts: number;
  completed: number;
  /** Accounts whose detection failed after every SDK and Step Functions retry. */
  failures: number;
  throttledCalls: number;
  callerCalls: number;
  /** Detection task invocations (first tries and Step Functions retries). */
  detectInvocations: number;
  seconds: number;
  accountsPerSecond: number;
  /** accountsPerSecond / (limit / caller calls per account). */
  shareOfLimit: number;
  /** Largest number of detections running at the same time. */
  peakDetections: number;
}

/** A min-heap of timed events, so that 10,000 accounts with their retries simulate in well under a second. */
class EventQueue {
  private readonly heap: { at: number; seq: number; run: () => void }[] = [];
  private seq = 0;
  push(at: number, run: () => void): void {
    const h = this.heap;
    h.push({ at, seq: this.seq++, run });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.less(h[p]!, h[i]!)) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }
  pop(): { at: number; run: () => void } | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
  private less(a: { at: number; seq: number }, b: { at: number; seq: number }): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
}

/** Delay before Step Functions retry `n` (0-based) of a policy, in milliseconds, jitter applied. */
export function sfnRetryDelayMs(policy: RetryPolicy, n: number, random: () => number): number {
  const full = policy.intervalSeconds * policy.backoffRate ** n;
  const capped = policy.maxDelaySeconds !== undefined ? Math.min(full, policy.maxDelaySeconds) : full;
  return (policy.jitter === 'FULL' ? random() * capped : capped) * 1000;
}

/** Delay before the SDK's retry after `attempts` attempts of a throttled call (smithy's defaultDelayDecider). */
export function sdkRetryDelayMs(sdk: SdkRetry, attempts: number, random: () => number): number {
  return Math.floor(Math.min(sdk.maxDelayMs, random() * 2 ** attempts * sdk.throttlingBaseMs));
}

/**
 * Runs the sweep on a virtual clock. Every API call and every task before detection takes
 * `latencyMs`; a caller call is admitted by the token bucket at the moment it is made, or refused
 * (throttled). A refused call is retried by the SDK (full-jitter backoff, `sdk.maxAttempts` in all);
 * when those run out the detection task fails with `TransientAwsError` and its synthesized Retry
 * entry re-runs it; when that runs out the account is a throttling failure. A Map item ends when its
 * execution is started (fire-and-forget) or, with detection inside the Map, when detection ends.
 */
export function simulateDeployedSweep(shape: DeployedSweepShape, p: DeployedSweepParams): DeployedSweepResult {
  const queue = new EventQueue();
  const bucket = new TokenBucket(p.callerLimit, 0);
  const limit = shape.maxConcurrency > 0 ? shape.maxConcurrency : 10_000;
  const stats = { completed: 0, failures: 0, throttled: 0, callerCalls: 0, invocations: 0, lastDone: 0 };
  let running = 0;
  let peak = 0;
  let next = 0;
  let inFlight = 0;

  const startItems = (now: number) => {
    while (inFlight < limit && next < p.accounts) {
      next++;
      inFlight++;
      runItem(now);
    }
  };
  const itemDone = (now: number) => {
    inFlight--;
    startItems(now);
  };

  const runItem = (now: number) => {
    const stepsMs = shape.tasksBeforeDetection.length * p.latencyMs;
    const end = (t: number) => {
      const at = Math.max(t, now + (p.itemFloorMs ?? 0));
      queue.push(at, () => itemDone(at));
    };
    if (shape.detectionInsideMap) {
      queue.push(now + stepsMs, () => detect(now + stepsMs, 0, end));
    } else {
      // The item ends once StartExecution answers; the execution goes on by itself.
      end(now + p.latencyMs);
      queue.push(now + stepsMs, () => detect(now + stepsMs, 0, () => undefined));
    }
  };

  /** One invocation of the detection task (`retry`: how many Step Functions retries came before). */
  const detect = (now: number, retry: number, done: (t: number) => void) => {
    stats.invocations++;
    running++;
    peak = Math.max(peak, running);
    const finish = (t: number, ok: boolean) => {
      running--;
      if (ok) {
        stats.completed++;
        stats.lastDone = Math.max(stats.lastDone, t);
        done(t);
        return;
      }
      const policy = shape.detectRetry;
      if (policy && retry < policy.maxAttempts) {
        const at = t + sfnRetryDelayMs(policy, retry, p.random);
        queue.push(at, () => detect(at, retry + 1, done));
      } else {
        stats.failures++;
        done(t);
      }
    };
    const callerCall = (t: number, index: number, attempt: number) => {
      stats.callerCalls++;
      if (bucket.tryTake(t)) {
        const after = t + p.latencyMs;
        if (index + 1 < p.callerCallsPerAccount) queue.push(after, () => callerCall(after, index + 1, 1));
        else {
          const end = after + p.accountCallsPerAccount * p.latencyMs;
          queue.push(end, () => finish(end, true));
        }
        return;
      }
      stats.throttled++;
      const answered = t + p.latencyMs;
      if (attempt < p.sdk.maxAttempts) {
        const at = answered + sdkRetryDelayMs(p.sdk, attempt, p.random);
        queue.push(at, () => callerCall(at, index, attempt + 1));
      } else {
        queue.push(answered, () => finish(answered, false));
      }
    };
    callerCall(now, 0, 1);
  };

  startItems(0);
  for (let event = queue.pop(); event; event = queue.pop()) event.run();

  const seconds = stats.lastDone / 1000;
  const accountsPerSecond = seconds > 0 ? stats.completed / seconds : 0;
  const ceiling = p.callerLimit.ratePerSecond / p.callerCallsPerAccount;
  return {
    accounts: p.accounts,
    completed: stats.completed,
    failures: stats.failures,
    throttledCalls: stats.throttled,
    callerCalls: stats.callerCalls,
    detectInvocations: stats.invocations,
    seconds,
    accountsPerSecond,
    shareOfLimit: accountsPerSecond / ceiling,
    peakDetections: peak,
  };
}

/**
 * The MaxConcurrency at which a Map that detects inside its items stays under the limit without
 * throttling: items in flight × (caller calls per item / item duration) ≤ limit, i.e. Little's law
 * with the item's duration at the stated latency.
 */
export function maxConcurrencyForLimit(
  limitPerSecond: number,
  callerCallsPerAccount: number,
  itemSeconds: number,
): number {
  return Math.max(1, Math.floor((limitPerSecond * itemSeconds) / callerCallsPerAccount));
}
