import { EXIT, UsageError, type CliIO, type Command } from './io';
import { InvalidInputError } from '../functions/core/errors';

/**
 * Subcommands load lazily so that `rootkey scan` does not pay for the sandbox's web server. `require`
 * rather than `import()` because the CLI runs as CommonJS through tsx's require hook, which a
 * dynamic `import()` would bypass.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const COMMANDS: Record<string, { summary: string; load: () => Command }> = {
  scan: {
    summary: 'find root access keys in one account or the organization',
    load: () => (require('./commands/scan') as { scanCommand: Command }).scanCommand,
  },
  runbook: {
    summary: 'print the guided manual removal runbook for an account',
    load: () => (require('./commands/runbook') as { runbookCommand: Command }).runbookCommand,
  },
  evidence: {
    summary: 'verify evidence (hash chains, signatures) or print a case report',
    load: () => (require('./commands/evidence') as { evidenceCommand: Command }).evidenceCommand,
  },
  sandbox: {
    summary: 'run the whole workflow locally with a Slack stand-in in the browser',
    load: () => (require('./commands/sandbox') as { sandboxCommand: Command }).sandboxCommand,
  },
  guardrails: {
    summary: 'check (or apply) the SCP that keeps root access keys from coming back',
    load: () => (require('./commands/guardrails') as { guardrailsCommand: Command }).guardrailsCommand,
  },
  serve: {
    summary: 'run the workflow on this host against your organization and your Slack',
    load: () => (require('./commands/serve') as { serveCommand: Command }).serveCommand,
  },
  demo: {
    summary: 'run the sandbox scenario headless to the end and print a summary',
    load: () => (require('./commands/demo') as { demoCommand: Command }).demoCommand,
  },
};

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return [
    'Usage: rootkey <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    "Run `rootkey <command> --help` for a command's options.",
    'Exit codes: 0 ok/compliant, 1 runtime error, 2 usage error, 3 root key found (scan) or a guardrail missing (guardrails).',
  ].join('\n');
}

/** Runs the CLI; returns the exit code instead of exiting so that tests can call it in-process. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${usage()}\n`);
    return name ? EXIT.ok : EXIT.usageError;
  }
  // Own properties only: `rootkey constructor` must be an unknown command, not Object.prototype's.
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    io.stderr.write(`rootkey: unknown command '${name}'\n\n${usage()}\n`);
    return EXIT.usageError;
  }
  try {
    const command = entry.load();
    return await command(rest, io);
  } catch (error) {
    if (error instanceof UsageError || error instanceof InvalidInputError) {
      io.stderr.write(`rootkey ${name}: ${error.message}\nRun \`rootkey ${name} --help\` for usage.\n`);
      return EXIT.usageError;
    }
    const e = error as Error;
    io.stderr.write(`rootkey ${name}: ${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}\n`);
    return EXIT.runtimeError;
  }
}
