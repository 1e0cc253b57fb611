import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the app made to the Web API double (or to a `response_url`). */
export interface RecordedSlackCall {
  method: string;
  args: Record<string, unknown>;
  /** The bearer token the call carried. */
  token?: string;
  /** The request body exactly as sent. */
  raw: string;
}

/** Fields `@slack/web-api` sends JSON-encoded inside its form bodies. */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata']);

/**
 * A local stand-in for Slack's Web API, for tests: a real HTTP server on an ephemeral loopback port
 * that answers the methods the app uses the way Slack does, records every call (and every
 * `response_url` post) and refuses calls without the expected bot token.
 */
export class SlackWebApiDouble {
  readonly calls: RecordedSlackCall[] = [];
  /** Members of each user group, for `usergroups.users.list`. */
  readonly groups = new Map<string, string[]>();
  private server?: Server;
  private port = 0;
  private tsCounter = 0;
  /** Platform errors to answer the next call of a method with (`failNext`). */
  private readonly failures = new Map<string, string[]>();
  /** Calls to hold before answering (`holdNext`). */
  private readonly holds = new Map<string, Promise<void>[]>();

  constructor(private readonly botToken: string) {}

  /** Answers the next call of `method` with `{ ok: false, error }` (as Slack does, with HTTP 200). */
  failNext(method: string, error: string): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), error]);
  }

  /**
   * Holds the answer to the next call of `method` until the returned function is called (a slow Slack);
   * the call is recorded when it arrives.
   */
  holdNext(method: string): () => void {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    this.holds.set(method, [...(this.holds.get(method) ?? []), held]);
    return release;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The `slackApiUrl` the app's WebClient uses. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** A `response_url` for a slash command payload. */
  responseUrl(id: string): string {
    return `http://127.0.0.1:${this.port}/response/${id}`;
  }

  callsTo(method: string): RecordedSlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Every byte the app sent to Slack, for checks that something never left the server. */
  everythingSent(): string {
    return this.calls.map((c) => `${c.raw}\n${JSON.stringify(c.args)}`).join('\n');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = req.url ?? '/';
    const token = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '') || undefined;
    if (url.startsWith('/response/')) {
      this.calls.push({ method: 'response_url', args: raw ? (JSON.parse(raw) as Record<string, unknown>) : {}, raw });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    const method = url.replace(/^\/api\//, '').split('?')[0]!;
    const args = parseArgs(raw, req.headers['content-type']);
    this.calls.push({ method, args, raw, ...(token ? { token } : {}) });
    await this.holds.get(method)?.shift();
    const answer = token === this.botToken ? this.answer(method, args) : { ok: false, error: 'invalid_auth' };
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(answer));
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    const failure = this.failures.get(method)?.shift();
    if (failure) return { ok: false, error: failure };
    switch (method) {
      case 'auth.test':
        return { ok: true, user_id: 'U0ROOTKEYBOT', bot_id: 'B0ROOTKEY', team_id: 'T0TEST' };
      case 'chat.postMessage':
        if (!args.channel) return { ok: false, error: 'channel_not_found' };
        return { ok: true, channel: args.channel, ts: this.nextTs() };
      case 'chat.update':
        return { ok: true, channel: args.channel, ts: args.ts };
      case 'chat.postEphemeral':
        if (!args.channel || !args.user) return { ok: false, error: 'invalid_arguments' };
        return { ok: true, message_ts: this.nextTs() };
      case 'views.open':
        if (!args.trigger_id || !args.view) return { ok: false, error: 'invalid_arguments' };
        return { ok: true, view: { ...(args.view as object), id: `V0${this.calls.length}` } };
      case 'usergroups.users.list': {
        const members = this.groups.get(String(args.usergroup));
        return members ? { ok: true, users: members } : { ok: false, error: 'no_such_subteam' };
      }
      case 'users.info':
        return { ok: true, user: { id: args.user, name: String(args.user).toLowerCase() } };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  private nextTs(): string {
    this.tsCounter += 1;
    return `1780315200.${String(this.tsCounter).padStart(6, '0')}`;
  }
}

function parseArgs(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  if (contentType?.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = JSON_FIELDS.has(key) ? (JSON.parse(value) as unknown) : value;
  }
  return args;
}
