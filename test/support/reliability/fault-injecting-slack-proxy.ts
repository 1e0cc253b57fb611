import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the proxy answers a call it fails. */
export type SlackFault =
  /** HTTP 500 with an HTML body, as a load balancer in trouble answers. */
  | 'server-error'
  /** HTTP 429 `ratelimited` with `Retry-After` (seconds), as Slack's Web API throttles. */
  | 'ratelimited'
  /** No answer until the client gives up (the WebClient's `timeout`). */
  | 'timeout';

export interface SlackFaultPlan {
  fault: SlackFault;
  /** How many matching calls fail before the API recovers. */
  calls: number;
  /** Which Web API methods the outage hits (default: every method). */
  methods?: readonly string[];
  /** `Retry-After` of a `ratelimited` answer, seconds. */
  retryAfterSeconds?: number;
  /** How long a `timeout` answer is held, milliseconds (longer than the client's timeout). */
  holdMs?: number;
}

/**
 * Test double in front of a Slack Web API double (or the sandbox stand-in): it fails the next N
 * matching calls the way Slack does in an outage (500, 429 `ratelimited`, no answer) and forwards
 * everything else unchanged. Counts what it refused, so tests can report it.
 */
export class FaultInjectingSlackProxy {
  /** Calls answered with a fault, by method. */
  readonly refused: Record<string, number> = {};
  /** Calls forwarded to the API behind. */
  forwarded = 0;
  private plan?: SlackFaultPlan & { remaining: number };
  private server?: Server;
  private port = 0;
  private readonly held = new Set<ServerResponse>();

  constructor(private readonly upstreamApiUrl: string) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const res of this.held) res.destroy();
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The `slackApiUrl` for the app's WebClient. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** Starts an outage: the next `plan.calls` matching calls fail. */
  failNext(plan: SlackFaultPlan): void {
    this.plan = { ...plan, remaining: plan.calls };
  }

  /** Calls the current outage still has to fail. */
  get remaining(): number {
    return this.plan?.remaining ?? 0;
  }

  totalRefused(): number {
    return Object.values(this.refused).reduce((a, b) => a + b, 0);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const method = (req.url ?? '/').replace(/^\/api\//, '').split('?')[0]!;
    const plan = this.plan;
    if (plan && plan.remaining > 0 && (!plan.methods || plan.methods.includes(method))) {
      plan.remaining -= 1;
      this.refused[method] = (this.refused[method] ?? 0) + 1;
      this.fail(plan, res);
      return;
    }
    this.forwarded += 1;
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'authorization']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const upstream = await fetch(new URL(method, this.upstreamApiUrl), { method: 'POST', headers, body });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  }

  private fail(plan: SlackFaultPlan, res: ServerResponse): void {
    switch (plan.fault) {
      case 'server-error':
        res.writeHead(500, { 'content-type': 'text/html' }).end('<html><body>500 Internal Server Error</body></html>');
        return;
      case 'ratelimited':
        res
          .writeHead(429, {
            'content-type': 'application/json; charset=utf-8',
            'retry-after': String(plan.retryAfterSeconds ?? 0),
          })
          .end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        return;
      case 'timeout': {
        // Held until the client aborts (or the hold ends, far later than the client's timeout).
        this.held.add(res);
        const timer = setTimeout(() => {
          this.held.delete(res);
          res.writeHead(504).end();
        }, plan.holdMs ?? 2_000);
        res.on('close', () => {
          clearTimeout(timer);
          this.held.delete(res);
        });
      }
    }
  }
}
