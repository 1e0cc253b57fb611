import { resolve } from 'node:path';
import type * as SandboxServerModule from '../../sandbox/sandbox-server';
import { EXIT, UsageError, type CliIO } from '../io';
import { parseFlags } from '../parse-flags';

export const SANDBOX_HELP = `Usage: rootkey sandbox [--data-dir DIR] [--scenario FILE] [--port N] [--host ADDR] [--no-sweep]

Runs the whole workflow on this machine: the simulated organization from the scenario, the
synthesized state machine executed locally with its tasks bound to the real handlers, the real
Slack (Bolt) app, and a Slack stand-in page in the browser where you act as an approver or an
outsider. Starts the organization sweep at once (unless --no-sweep), so cases appear within seconds.

  --data-dir DIR   cases and evidence (default ./.rootkey; evidence under DIR/evidence/)
  --scenario FILE  simulated organization (default functions/adapters/sim/scenarios/default.json)
  --port N         HTTP port (default $PORT or 3000; 0 picks a free one)
  --host ADDR      address to listen on (default 127.0.0.1)
  --no-sweep       do not start the organization sweep at start-up

With SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET set (and SLACK_APP_TOKEN for Socket Mode), the
sandbox talks to that real Slack workspace instead of the stand-in (SLACK_CHANNEL and
SLACK_APPROVER_GROUP or SLACK_APPROVERS are then required; SLACK_API_URL is honoured).`;

/** Parses and checks the sandbox's flags (shared with `rootkey demo`). */
export function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535)
    throw new UsageError(`port '${value}' is not a number from 0 to 65535`);
  return Number(value);
}

export async function sandboxCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseFlags(args, {
    'data-dir': { type: 'string' },
    scenario: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    'no-sweep': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(`${SANDBOX_HELP}\n`);
    return EXIT.ok;
  }
  const port = parsePort(values.port, parsePort(io.env.PORT, 3000));
  const dataDir = resolve(values['data-dir'] ?? '.rootkey');
  // Loaded here, not at the top, so that other commands do not pay for the web server and CDK
  // synthesis; `require` because the CLI runs as CommonJS through tsx's require hook.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startSandboxServer } = require('../../sandbox/sandbox-server') as typeof SandboxServerModule;
  io.stderr.write('Starting the sandbox (synthesizing the state machine from infra/)…\n');
  const sandbox = await startSandboxServer({
    dataDir,
    scenarioPath: values.scenario,
    port,
    host: values.host ?? '127.0.0.1',
    env: io.env,
    sweepOnStart: !values['no-sweep'],
    log: (line) => io.stderr.write(`${line}\n`),
  });
  const { runtime } = sandbox;
  io.stdout.write(
    [
      '',
      `rootkey sandbox is running: open ${sandbox.url}`,
      '',
      `  Slack:      ${runtime.mode === 'standin' ? `stand-in page at ${sandbox.url}/ (pick Alice or Bob to approve, Mallory is an outsider)` : `real workspace${runtime.socketMode ? ' over Socket Mode' : ` — point the app's request URL at ${sandbox.url}/slack/events`}`}`,
      `  Scenario:   ${runtime.scenario.description ?? 'custom'} (${runtime.scenario.accounts.length} accounts)`,
      `  Cases:      ${sandbox.url}/api/cases`,
      `  Evidence:   ${runtime.dataDir}/evidence  (check it: npx rootkey evidence verify ${runtime.dataDir})`,
      '',
      'The organization sweep has started; approval requests appear in the channel within seconds. Ctrl-C stops.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    if (io.signal) io.signal.addEventListener('abort', stop, { once: true });
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  io.stderr.write('Stopping the sandbox…\n');
  await sandbox.close();
  return EXIT.ok;
}
