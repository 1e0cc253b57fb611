/** AWS list prices the cost benchmark uses (us-east-1; no free tier). */
export interface Prices {
  /** Step Functions Standard workflows, per 1,000 state transitions. */
  stateTransitionsPer1000: number;
  /** Lambda requests, per million. */
  lambdaRequestsPerMillion: number;
  /** Lambda duration on ARM (Graviton), per GB-second. */
  lambdaArmGbSecond: number;
}

export const AWS_PRICES: Prices = {
  stateTransitionsPer1000: 0.025,
  lambdaRequestsPerMillion: 0.2,
  lambdaArmGbSecond: 0.0000133334,
};

/** One Lambda invocation as it is billed: configured memory and measured duration. */
export interface BilledInvocation {
  memoryMb: number;
  durationMs: number;
}

export interface CaseCost {
  transitions: number;
  invocations: number;
  /** GB-seconds billed (duration rounded up to the millisecond, as Lambda bills). */
  gbSeconds: number;
  stepFunctionsUsd: number;
  lambdaRequestsUsd: number;
  lambdaDurationUsd: number;
  totalUsd: number;
}

/** GB-seconds of one invocation: memory in GB (1,024 MB) times billed seconds (1 ms granularity). */
export function gbSeconds(invocation: BilledInvocation): number {
  if (invocation.memoryMb <= 0 || invocation.durationMs < 0) {
    throw new RangeError(`invalid invocation: ${invocation.memoryMb} MB, ${invocation.durationMs} ms`);
  }
  return (invocation.memoryMb / 1024) * (Math.ceil(invocation.durationMs) / 1000);
}

/** What one workflow execution costs: its state transitions plus its Lambda requests and duration. */
export function costOfCase(
  transitions: number,
  invocations: readonly BilledInvocation[],
  prices: Prices = AWS_PRICES,
): CaseCost {
  if (!Number.isInteger(transitions) || transitions < 0) throw new RangeError(`invalid transitions: ${transitions}`);
  const gbs = invocations.reduce((total, i) => total + gbSeconds(i), 0);
  const stepFunctionsUsd = (transitions / 1000) * prices.stateTransitionsPer1000;
  const lambdaRequestsUsd = (invocations.length / 1_000_000) * prices.lambdaRequestsPerMillion;
  const lambdaDurationUsd = gbs * prices.lambdaArmGbSecond;
  return {
    transitions,
    invocations: invocations.length,
    gbSeconds: gbs,
    stepFunctionsUsd,
    lambdaRequestsUsd,
    lambdaDurationUsd,
    totalUsd: stepFunctionsUsd + lambdaRequestsUsd + lambdaDurationUsd,
  };
}

/** Dollars for display: cents-and-below amounts keep their significant digits ($0.00041). */
export function formatUsd(amount: number): string {
  if (amount === 0) return '$0';
  if (amount >= 0.01) return `$${amount.toFixed(2)}`;
  return `$${amount.toPrecision(2)}`;
}
