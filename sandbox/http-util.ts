import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './slack-standin/web-api';
import { isExactJson } from './request-guard';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body, null, 2));
}

export function sendText(res: ServerResponse, status: number, contentType: string, body: string | Buffer): void {
  res.writeHead(status, {
    'content-type': contentType,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(body);
}

/** Reads a JSON body (bounded); answers 400/413/415 itself and returns undefined when it is not acceptable. */
export async function readJson(req: IncomingMessage, res: ServerResponse, limit = 1_000_000): Promise<unknown> {
  // Exactly application/json: `text/plain; application/json` is a request any web page may send
  // cross-origin without a CORS preflight, so "contains application/json" is not enough.
  if (!isExactJson(req.headers['content-type'])) {
    req.resume();
    sendJson(res, 415, { error: 'Send JSON with content-type: application/json' });
    return undefined;
  }
  let text: string;
  try {
    text = await readBody(req, limit);
  } catch (error) {
    const status = (error as { status?: number }).status ?? 400;
    sendJson(res, status, { error: status === 413 ? `Body larger than ${limit} bytes` : 'Could not read the body' });
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    sendJson(res, 400, { error: `Body is not JSON: ${(error as Error).message}` });
    return undefined;
  }
}
