// The page's one way to talk to the sandbox server: GET for reads, POST with JSON and the page
// token for anything that changes state. Every answer also tells the connection line how it went.
import { setConnection } from './status.js';

/** The header the server wants on state-changing routes (sandbox/request-guard.ts). */
const TOKEN_HEADER = 'x-rootkey-sandbox-token';

/**
 * The per-run token the server wrote into this page; state-changing routes refuse requests without it.
 * @returns {Record<string, string>}
 */
function tokenHeader() {
  const meta = document.querySelector('meta[name="rootkey-sandbox-token"]');
  const token = meta ? meta.getAttribute('content') : null;
  return token === null ? {} : { [TOKEN_HEADER]: token };
}

/**
 * GET `path` (no body) or POST `body` as JSON; resolves to the parsed answer, rejects with the
 * server's error message.
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<unknown>} the JSON the route answers (callers name its shape from types.js)
 */
export async function api(path, body) {
  let res;
  try {
    res = await fetch(
      path,
      body === undefined
        ? {}
        : {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...tokenHeader() },
            body: JSON.stringify(body),
          },
    );
  } catch {
    setConnection('unreachable');
    throw new Error('The sandbox server is unreachable (stopped or restarting).');
  }
  if (res.status === 503) {
    setConnection('starting');
    throw new Error('The sandbox server is starting; try again in a moment.');
  }
  setConnection('ok');
  const text = await res.text();
  /** @type {unknown} */
  let json;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = { text };
  }
  if (!res.ok) {
    const answer = /** @type {{ error?: string, message?: string } | null} */ (json);
    throw new Error((answer && (answer.error || answer.message)) || res.statusText);
  }
  return json;
}
