import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';

/**
 * What the sandbox's HTTP server accepts from a browser. The sandbox is local, but it is what people
 * run first, often on shared hosts, and a page on any other origin can send it requests:
 *
 * - **Host** must name the bound address (DNS rebinding turns an attacker's domain into 127.0.0.1;
 *   the browser then sends that domain as Host, which is refused here);
 * - **Origin**, when the browser sends one, must be this server's own;
 * - **JSON** means exactly `application/json` (optionally `; charset=utf-8`): `text/plain;
 *   application/json` is a "simple" request a foreign page may send without a CORS preflight;
 * - state-changing page routes need the **page token**, a per-run secret written into the served
 *   page: another origin cannot read the page (no CORS headers), so it cannot learn the token.
 */

/** Header the page sends its token in (a custom header also forces a CORS preflight, which is never granted). */
export const PAGE_TOKEN_HEADER = 'x-rootkey-sandbox-token';

/** Loopback names and addresses: bound to one of these, only this machine can connect. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

function isWildcard(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === '0.0.0.0' || h === '::' || h === '';
}

function hostPort(host: string, port: number): string[] {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const withPort = `${h.toLowerCase()}:${port}`;
  return port === 80 ? [withPort, h.toLowerCase()] : [withPort];
}

/**
 * The `Host` values that name the bound address: for a loopback bind, the loopback names; for a
 * wildcard bind (`0.0.0.0`, `::`), those plus every interface address and the machine's host name;
 * otherwise the bound address itself (and the host name, which is how others on a network reach it).
 */
export function allowedHosts(boundHost: string, port: number): Set<string> {
  const names = new Set<string>([boundHost]);
  const loopback = ['localhost', '127.0.0.1', '::1'];
  if (isLoopback(boundHost)) {
    for (const n of [...loopback, boundHost]) names.add(n);
  } else if (isWildcard(boundHost)) {
    for (const n of loopback) names.add(n);
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) names.add(a.address.replace(/%.*$/, ''));
    }
    names.add(hostname());
  } else {
    names.add(boundHost);
    names.add(hostname());
  }
  return new Set([...names].flatMap((n) => hostPort(n, port)));
}

export type GuardRefusal = { status: number; error: string };

/** Refuses a request whose Host is not the bound address, or whose Origin (when sent) is not this server. */
export function checkHostAndOrigin(headers: IncomingHttpHeaders, allowed: Set<string>): GuardRefusal | undefined {
  const host = (headers.host ?? '').toLowerCase();
  if (!allowed.has(host)) {
    return {
      status: 403,
      error: `Host '${host.slice(0, 100)}' is not this sandbox's address: refused (DNS rebinding protection)`,
    };
  }
  const origin = headers.origin;
  if (origin !== undefined) {
    let originHost: string | undefined;
    try {
      const parsed = new URL(origin);
      originHost = parsed.protocol === 'http:' ? parsed.host.toLowerCase() : undefined;
    } catch {
      originHost = undefined;
    }
    if (!originHost || !allowed.has(originHost)) {
      return {
        status: 403,
        error: `Origin '${origin.slice(0, 100)}' is not this sandbox: cross-origin requests are refused`,
      };
    }
  }
  return undefined;
}

/** `application/json`, optionally with `charset=utf-8`, and nothing else. */
export function isExactJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [media = '', ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  if (media !== 'application/json') return false;
  return params.every((p) => p === 'charset=utf-8' || p === 'charset="utf-8"');
}

/** Constant-time comparison of a presented token with the expected one. */
export function tokenMatches(presented: string | string[] | undefined, expected: string): boolean {
  if (typeof presented !== 'string') return false;
  const a = Buffer.from(presented, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The warning printed when the sandbox listens beyond this machine. Undefined for a loopback bind. */
export function exposureWarning(boundHost: string, url: string): string | undefined {
  if (isLoopback(boundHost)) return undefined;
  return [
    `WARNING: --host ${boundHost} makes the sandbox reachable from other machines at ${url}:`,
    '  the Slack stand-in page (anyone who loads it can act as Alice or Bob and approve key deletions in the simulated organization),',
    '  POST /api/events (starts cases without a token), GET /api/cases (which accounts hold root keys), POST /slack/events',
    '  and the evidence reports. There is no login. Use --host 127.0.0.1 unless you mean to share it.',
  ].join('\n');
}
