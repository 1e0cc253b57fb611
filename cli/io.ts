/** Where a command writes and what it reads from its environment; tests pass their own. */
export interface CliIO {
  stdout: { write(chunk: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Resolves when the command should stop (long-running commands such as `sandbox`). */
  signal?: AbortSignal;
  /** Asks the user a question and resolves with the answer (tests pass their own; default: the terminal). */
  prompt?: (question: string) => Promise<string>;
}

/** Exit codes of DESIGN.md's public interface. */
export const EXIT = {
  ok: 0,
  runtimeError: 1,
  usageError: 2,
  rootKeyFound: 3,
} as const;

/** A usage problem: printed with the command's help, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type Command = (args: string[], io: CliIO) => Promise<number>;
