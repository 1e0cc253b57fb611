import { InvalidInputError } from '../functions/core/errors';

/** A one-time schedule as the workflow's `ScheduleRecheck` state creates it (EventBridge Scheduler `CreateSchedule`). */
export interface LocalSchedule {
  name: string;
  groupName?: string;
  /** `at(yyyy-mm-ddThh:mm:ss)` in UTC. */
  expression: string;
  at: Date;
  /** The workflow input the schedule delivers (the target's `Input`, parsed). */
  input: unknown;
  createdAt: Date;
  fired: boolean;
}

export interface LocalRecheckSchedulerOptions {
  /** Called when a schedule is due; without it schedules are only recorded. */
  onDue?: (input: unknown, schedule: LocalSchedule) => void;
  now?: () => number;
}

/** Node's timers take at most 2^31-1 ms (~24.8 days); longer waits re-arm. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The local EventBridge Scheduler: records the re-check schedules the workflow creates when a risk
 * acceptance has an end and, with `onDue`, starts the workflow when one is due (the sandbox). Timers
 * are unref'd so that a pending re-check never keeps the process alive.
 */
export class LocalRecheckScheduler {
  private readonly list: LocalSchedule[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly now: () => number;

  constructor(private readonly options: LocalRecheckSchedulerOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /** Takes the `CreateSchedule` parameters of the state (Name, ScheduleExpression, Target.Input …). */
  createSchedule(parameters: unknown): { ScheduleArn: string } {
    const p = (parameters ?? {}) as {
      Name?: unknown;
      GroupName?: unknown;
      ScheduleExpression?: unknown;
      Target?: { Input?: unknown };
    };
    const name = typeof p.Name === 'string' ? p.Name : undefined;
    const expression = typeof p.ScheduleExpression === 'string' ? p.ScheduleExpression : undefined;
    const match = expression ? /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(expression) : null;
    if (!name || !match) throw new InvalidInputError(`Not a one-time schedule: ${JSON.stringify(parameters)}`);
    if (this.list.some((s) => s.name === name)) {
      throw Object.assign(new Error(`Schedule ${name} already exists`), { name: 'Scheduler.ConflictException' });
    }
    const rawInput = p.Target?.Input;
    const schedule: LocalSchedule = {
      name,
      ...(typeof p.GroupName === 'string' ? { groupName: p.GroupName } : {}),
      expression: expression!,
      at: new Date(`${match[1]}Z`),
      input: typeof rawInput === 'string' ? (JSON.parse(rawInput) as unknown) : rawInput,
      createdAt: new Date(this.now()),
      fired: false,
    };
    this.list.push(schedule);
    if (this.options.onDue) this.arm(schedule);
    return {
      ScheduleArn: `arn:aws:scheduler:us-east-1:123456789012:schedule/${schedule.groupName ?? 'default'}/${name}`,
    };
  }

  /** Every schedule created so far. */
  schedules(): LocalSchedule[] {
    return this.list.map((s) => ({ ...s }));
  }

  /** Cancels the pending timers. */
  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private arm(schedule: LocalSchedule): void {
    const delay = Math.max(0, schedule.at.getTime() - this.now());
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (schedule.at.getTime() > this.now()) {
          this.arm(schedule);
          return;
        }
        schedule.fired = true;
        this.options.onDue?.(schedule.input, { ...schedule });
      },
      Math.min(delay, MAX_TIMER_MS),
    );
    timer.unref();
    this.timers.add(timer);
  }
}
