import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalWorkflowCallbacks } from '../local-runner/local-workflow-callbacks';
import type { WorkflowCallbacksPort } from '../functions/ports/workflow-callbacks';

/**
 * Where a case's execution stood when `serve` last saw it: the top-level state it entered last, with
 * the raw input it entered with, and — while that state waits for a human — the task token stored
 * with the case. One file per case under `DIR/serve/executions/`, written before the state runs, so a
 * stop at any moment leaves the state to resume from (a task may run twice; every task is written to
 * be repeated, as Step Functions retries require anyway).
 */
export interface Checkpoint {
  caseId: string;
  executionName: string;
  state: string;
  input: unknown;
  /** Set while `state` waits for a task token (RequestApproval, AwaitRunbookStep). */
  token?: string;
  at: string;
}

/** An answer (Slack vote or runbook confirmation) that arrived while no execution was waiting for it. */
export type ParkedAnswer = { caseId: string; state: string; at: string } & (
  { kind: 'success'; output: unknown } | { kind: 'failure'; error: string; cause: string }
);

const SAFE_NAME = /^[A-Za-z0-9._-]{1,200}$/;

/** Atomic JSON write (temporary file + rename), readable by the owner only. */
function writeJson(file: string, value: unknown): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(value, null, 2), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** The checkpoint of every case with a live execution, one file each. */
export class CheckpointStore {
  private readonly dir: string;
  private readonly byCase = new Map<string, Checkpoint>();

  constructor(serveDir: string) {
    this.dir = join(serveDir, 'executions');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(this.dir).filter((n) => n.endsWith('.json'))) {
      const checkpoint = JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as Checkpoint;
      this.byCase.set(checkpoint.caseId, checkpoint);
    }
  }

  get(caseId: string): Checkpoint | undefined {
    return this.byCase.get(caseId);
  }

  all(): Checkpoint[] {
    return [...this.byCase.values()];
  }

  save(checkpoint: Checkpoint): void {
    if (!SAFE_NAME.test(checkpoint.caseId)) throw new Error(`Unsafe case id ${checkpoint.caseId}`);
    this.byCase.set(checkpoint.caseId, checkpoint);
    writeJson(join(this.dir, `${checkpoint.caseId}.json`), checkpoint);
  }

  remove(caseId: string): void {
    if (!this.byCase.delete(caseId) || !SAFE_NAME.test(caseId)) return;
    rmSync(join(this.dir, `${caseId}.json`), { force: true });
  }

  /** The checkpoint that waits on `token`, if any. */
  waitingOn(token: string): Checkpoint | undefined {
    return this.all().find((c) => c.token === token);
  }
}

/** Answers parked on disk under `DIR/serve/answers/`, by task token, until the wait is resumed. */
export class ParkedAnswers {
  private readonly dir: string;

  constructor(serveDir: string) {
    this.dir = join(serveDir, 'answers');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  park(token: string, answer: ParkedAnswer): void {
    writeJson(this.file(token), answer);
  }

  peek(token: string): ParkedAnswer | undefined {
    const file = this.file(token);
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ParkedAnswer) : undefined;
  }

  /** The answer parked for a case (at most one: a case waits on one task at a time). */
  forCase(caseId: string): { token: string; answer: ParkedAnswer } | undefined {
    for (const name of readdirSync(this.dir).filter((n) => n.endsWith('.json'))) {
      const answer = JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as ParkedAnswer;
      if (answer.caseId === caseId) return { token: name.slice(0, -'.json'.length), answer };
    }
    return undefined;
  }

  remove(token: string): void {
    rmSync(this.file(token), { force: true });
  }

  private file(token: string): string {
    if (!SAFE_NAME.test(token)) throw new Error('Unsafe task token');
    return join(this.dir, `${token}.json`);
  }
}

/**
 * The task-token port the Slack app uses in `serve`. While an execution waits on the token, answers go
 * straight to it (the local runner's callbacks). From the moment `serve` starts stopping — and before the
 * checkpointed waits are re-attached at start — an answer for a wait of an open case is parked on disk
 * instead of failing, and the resumed execution receives it at the next start. That is how a vote that
 * lands during a stop is kept: recordVote writes the vote and the decision on the case before it calls
 * here, and the parked answer carries the decision to the workflow. Unknown or answered tokens still
 * throw TaskTokenExpiredError, exactly as Step Functions' SendTaskSuccess does.
 */
export class DurableWorkflowCallbacks implements WorkflowCallbacksPort {
  /** False until the checkpointed waits are re-attached at start, and again once the process is stopping. */
  private delivering = false;
  /** The waits that were live when the stop began (their checkpoint may not have caught up yet). */
  private readonly stoppedWaits = new Map<string, { caseId: string; state: string }>();

  constructor(
    private readonly live: LocalWorkflowCallbacks,
    private readonly checkpoints: CheckpointStore,
    private readonly parked: ParkedAnswers,
    /** Which case an execution works on (from its state data). */
    private readonly caseOfExecution: (executionId: string) => string | undefined,
  ) {}

  /** The checkpointed waits are re-attached: answers go to the live executions from now on. */
  resume(): void {
    this.delivering = true;
  }

  /**
   * From now on, answers for waits are parked rather than delivered (the process is stopping). Call it
   * before the executions are aborted: it remembers which waits were live.
   */
  suspend(): void {
    this.delivering = false;
    for (const task of this.live.waiting()) {
      const caseId = this.caseOfExecution(task.executionId);
      if (caseId) this.stoppedWaits.set(task.token, { caseId, state: task.stateName });
    }
  }

  async sendTaskSuccess(token: string, output: unknown): Promise<void> {
    const wait = this.parkable(token);
    if (wait) {
      const copy = JSON.parse(JSON.stringify(output ?? {})) as unknown;
      this.parked.park(token, { ...wait, kind: 'success', output: copy, at: new Date().toISOString() });
      return;
    }
    await this.live.sendTaskSuccess(token, output);
  }

  async sendTaskFailure(token: string, error: string, cause: string): Promise<void> {
    const wait = this.parkable(token);
    if (wait) {
      this.parked.park(token, { ...wait, kind: 'failure', error, cause, at: new Date().toISOString() });
      return;
    }
    await this.live.sendTaskFailure(token, error, cause);
  }

  /** The answer parked for a case, if any. */
  parkedFor(caseId: string): { token: string; answer: ParkedAnswer } | undefined {
    return this.parked.forCase(caseId);
  }

  /** Delivers an answer parked for `token` to the (re-attached) live wait; true when there was one. */
  async deliverParked(token: string): Promise<boolean> {
    const answer = this.parked.peek(token);
    if (!answer) return false;
    if (answer.kind === 'success') await this.live.sendTaskSuccess(token, answer.output);
    else await this.live.sendTaskFailure(token, answer.error, answer.cause);
    this.parked.remove(token);
    return true;
  }

  private parkable(token: string): { caseId: string; state: string } | undefined {
    if (this.delivering) return undefined;
    const stopped = this.stoppedWaits.get(token);
    if (stopped) return stopped;
    const checkpoint = this.checkpoints.waitingOn(token);
    return checkpoint ? { caseId: checkpoint.caseId, state: checkpoint.state } : undefined;
  }
}
