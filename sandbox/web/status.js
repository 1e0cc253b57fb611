// What the page says about itself: the connection line, the notice, and the banner.
// What the page shows must be true now: when the server is down or starting, say so instead of
// leaving the last state on screen as if it were current.
import { $ } from './dom.js';

/** @typedef {'ok' | 'starting' | 'unreachable'} Connection */

/** @param {Connection} kind */
export function setConnection(kind) {
  const box = document.querySelector('#connection');
  if (!(box instanceof HTMLElement) || box.dataset.kind === kind) return;
  box.dataset.kind = kind;
  box.hidden = kind === 'ok';
  box.textContent =
    kind === 'starting'
      ? 'The sandbox server is starting… The page updates as soon as it answers.'
      : kind === 'unreachable'
        ? 'The sandbox server is unreachable (stopped or restarting). What you see below may be out of date; retrying…'
        : '';
  document.body.classList.toggle('stale', kind !== 'ok');
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let noticeTimer;

/**
 * A line under the banner for six seconds.
 * @param {string} text
 * @param {boolean} [bad]
 */
export function notify(text, bad) {
  const box = $('#notice');
  box.textContent = text;
  box.className = 'notice' + (bad ? ' bad' : '');
  box.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => (box.hidden = true), 6000);
}

/** The server's start time last shown: a new one means the sandbox restarted. */
let shownStartedAt = '';

/** @param {import('./types.js').SandboxState} data */
export function renderBanner(data) {
  const banner = $('#banner');
  const earlier = data.cases.filter((c) => c.fromEarlierRun).length;
  const started = new Date(data.startedAt).toLocaleString();
  banner.textContent =
    `Sandbox started ${started}. The simulated organization starts fresh on every start: keys deleted in an ` +
    `earlier run are back, and this Slack channel starts empty. Cases and evidence are kept in ${data.dataDir}` +
    (earlier
      ? ` (${earlier} case${earlier === 1 ? '' : 's'} from an earlier run; any left open then were closed as failed).`
      : '.');
  if (shownStartedAt && shownStartedAt !== data.startedAt) notify('The sandbox restarted: see the banner above.');
  shownStartedAt = data.startedAt;
}
