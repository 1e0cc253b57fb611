import type * as ServeRuntimeModule from '../../serve/serve-runtime';
import type * as ServeServerModule from '../../serve/serve-server';
import { resolveServeSettings, ServeSettingsError, type ServeFlags } from '../../serve/serve-settings';
import { EXIT, type CliIO } from '../io';
import { parseFlags } from '../parse-flags';

export const SERVE_HELP = `Usage: rootkey serve [--data-dir DIR] [--port N] [--host ADDR] [--role-name NAME]
                     [--sweep-every DURATION] [--no-sweep] [--security-hub-region REGION | --no-security-hub]

Runs the whole workflow on this host against your AWS Organization and your Slack workspace: the
state machine that infra/ synthesizes, executed locally with the real handlers and the AWS adapters.
Deletion happens only after approval in Slack; there is no way to skip it.

  --data-dir DIR             cases, checkpoints and evidence (default ./.rootkey; evidence under DIR/evidence/)
  --port N                   HTTP port for POST /slack/events, the dashboard and the API (default $PORT or 3000)
  --host ADDR                address to listen on (default 127.0.0.1)
  --role-name NAME           read role for accounts AssumeRoot cannot read (management, standalone)
  --sweep-every DURATION     organization sweep interval, e.g. 30m, 1h, 1d (default 1h; 1m to 7d)
  --no-sweep                 no sweep at start or on a timer (triggers: /rootkey scan, POST /api/events)
  --security-hub-region R    Region of the Security Hub aggregator (default: the SDK's Region)
  --no-security-hub          do not look up or update Security Hub findings

Environment (checked before anything is read or posted; exit 2 names every problem):
  AWS: the SDK's standard configuration — AWS_REGION (or the profile's), credentials chain,
       AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE>; EVIDENCE_SIGNING_KEY_ARN to sign with KMS.
  Slack: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_CHANNEL, SLACK_APPROVER_GROUP or SLACK_APPROVERS,
       REQUIRED_APPROVALS (default 1), SLACK_API_URL, SLACK_APP_TOKEN (Socket Mode instead of HTTP).

Stops cleanly on SIGINT/SIGTERM; cases waiting for approval or a runbook step resume at the next start.`;

export async function serveCommand(args: string[], io: CliIO): Promise<number> {
  const { values } = parseFlags(args, {
    'data-dir': { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    'role-name': { type: 'string' },
    'sweep-every': { type: 'string' },
    'no-sweep': { type: 'boolean' },
    'security-hub-region': { type: 'string' },
    'no-security-hub': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout.write(`${SERVE_HELP}\n`);
    return EXIT.ok;
  }
  let settings;
  try {
    settings = await resolveServeSettings(values as ServeFlags, io.env);
  } catch (error) {
    if (!(error instanceof ServeSettingsError)) throw error;
    io.stderr.write(`rootkey serve: ${error.message}\nRun \`rootkey serve --help\` for usage.\n`);
    return EXIT.usageError;
  }

  const log = (line: string) => io.stderr.write(`${new Date().toISOString()} ${line}\n`);
  // Loaded only now: the settings are good, so the CDK synthesis and the SDK clients are worth their start-up.
  /* eslint-disable @typescript-eslint/no-require-imports -- the CLI runs as CommonJS through tsx's require hook */
  const { createServeRuntime } = require('../../serve/serve-runtime') as typeof ServeRuntimeModule;
  const { startServeServer } = require('../../serve/serve-server') as typeof ServeServerModule;
  /* eslint-enable @typescript-eslint/no-require-imports */
  log('starting (synthesizing the state machine from infra/, resuming open cases)…');
  const runtime = await createServeRuntime(settings, io.env, log);
  const serve = await startServeServer(runtime);
  let sweepTimer: NodeJS.Timeout | undefined;
  if (settings.sweep) {
    runtime.sweep();
    sweepTimer = setInterval(() => {
      log('organization sweep (timer)');
      runtime.sweep();
    }, settings.sweepEveryMs);
  }
  io.stdout.write(
    [
      `rootkey serve is running: ${serve.url}`,
      `  Slack:     ${runtime.socketMode ? 'Socket Mode' : `point the app's request URL at <public URL>/slack/events (local ${serve.url}/slack/events)`}`,
      `  Dashboard: ${serve.url}/   Cases: ${serve.url}/api/cases`,
      `  Sweep:     ${settings.sweep ? `at start and every ${values['sweep-every'] ?? '1h'}` : 'off (--no-sweep)'}`,
      `  Evidence:  ${settings.dataDir}/evidence  (check it: npx rootkey evidence verify ${settings.dataDir})`,
      `  Resumed:   ${runtime.resumed.size} open case(s)`,
      '',
    ].join('\n'),
  );

  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    if (io.signal) io.signal.addEventListener('abort', stop, { once: true });
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  log('stopping: no new requests; answers arriving now are kept for the next start…');
  if (sweepTimer) clearInterval(sweepTimer);
  await serve.close();
  log('stopped; open cases resume at the next start');
  if (!io.signal) {
    // Handles that outlive the executions (the SDK's keep-alive sockets, aborted waits' timers) must not
    // keep a stopped server alive: everything that matters is on disk by now.
    setTimeout(() => process.exit(process.exitCode ?? EXIT.ok), 1000).unref();
  }
  return EXIT.ok;
}
