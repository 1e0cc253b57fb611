/** Time, injectable so that tests and the sandbox control it. */
export interface ClockPort {
  now(): Date;
}

export const systemClock: ClockPort = { now: () => new Date() };
