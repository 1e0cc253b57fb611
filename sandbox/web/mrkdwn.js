// Slack mrkdwn, parsed into plain data: no DOM here, so that the rules are unit-tested under Node
// (test/unit/sandbox/web/mrkdwn.test.ts) and block-kit.js only turns the result into elements.
// The app escapes &, < and > itself (https://api.slack.com/reference/surfaces/formatting#escaping);
// the renderer builds DOM nodes from these pieces, never HTML strings, so nothing from a message can
// inject markup into the page.

/**
 * A piece of one line. `text` is what the reader sees, already unescaped.
 * @typedef {{ kind: 'text' | 'time' | 'mention' | 'code' | 'bold' | 'italic' | 'strike', text: string }
 *   | { kind: 'link', text: string, href: string }} Inline
 * A piece of a message: lines of inline pieces with `br` between them, quoted lines, code blocks.
 * @typedef {Inline | { kind: 'br' } | { kind: 'quote', children: Inline[] } | { kind: 'pre', text: string }} Piece
 * How mentions are shown: Slack shows the name, not the id.
 * @typedef {{ userName(id: string): string, groupHandle(id: string): string }} Names
 */

/** @type {Record<string, string>} */
export const EMOJI = {
  rotating_light: '🚨',
  warning: '⚠️',
  information_source: 'ℹ️',
  white_check_mark: '✅',
  x: '❌',
  hourglass_flowing_sand: '⏳',
  lock: '🔒',
  key: '🔑',
  bell: '🔔',
  mega: '📣',
  heavy_check_mark: '✔️',
  no_entry: '⛔',
  clipboard: '📋',
  mag: '🔍',
  arrow_right: '➡️',
  hourglass: '⌛',
  shield: '🛡️',
  memo: '📝',
  gear: '⚙️',
  ballot_box_with_ballot: '🗳️',
};

/**
 * `:key:` → 🔑 for the emoji the app uses; unknown names stay as written.
 * @param {string} text
 */
export function emoji(text) {
  return text.replace(/:([a-z0-9_+-]+):/g, (all, /** @type {string} */ name) => EMOJI[name] || all);
}

/**
 * Undoes the app's escaping of &, < and >.
 * @param {string} s
 */
export function decode(s) {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * `<!date^1795880403^{date_short_pretty} {time}|fallback>`: Slack shows the reader's local time.
 * @param {string} target the part before `|`
 * @param {string | undefined} fallback
 */
export function formatSlackDate(target, fallback) {
  const seconds = Number(target.split('^')[1]);
  if (!Number.isFinite(seconds)) return decode(fallback || target);
  const d = new Date(seconds * 1000);
  return (
    d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' }) +
    ' ' +
    d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
  );
}

const INLINE = /<([^<>|]+)(?:\|([^<>]*))?>|`([^`]+)`|:([a-z0-9_+-]+):|\*([^*\n]+)\*|_([^_\n]+)_|~([^~\n]+)~/g;

/**
 * One line: links, mentions, dates, code, emoji and emphasis.
 * @param {string} text
 * @param {Names} names
 * @returns {Inline[]}
 */
export function parseInline(text, names) {
  /** @type {Inline[]} */
  const out = [];
  /** @param {string} s */
  const plain = (s) => out.push({ kind: 'text', text: s });
  const re = new RegExp(INLINE.source, 'g');
  let last = 0;
  let m;
  while ((m = re.exec(text))) {
    if (m.index > last) plain(emoji(decode(text.slice(last, m.index))));
    if (m[1] !== undefined) {
      const target = m[1];
      if (target.startsWith('!date^')) out.push({ kind: 'time', text: formatSlackDate(target, m[2]) });
      else if (target.startsWith('@')) out.push({ kind: 'mention', text: '@' + names.userName(target.slice(1)) });
      else if (target.startsWith('!subteam^'))
        out.push({ kind: 'mention', text: '@' + (m[2] || names.groupHandle(target.slice(9))).replace(/^@/, '') });
      else if (target.startsWith('!')) out.push({ kind: 'mention', text: '@' + target.slice(1) });
      else if (/^https?:\/\//.test(target) || target.startsWith('/'))
        out.push({ kind: 'link', href: decode(target), text: decode(m[2] || target) });
      else plain(decode(m[0]));
    } else if (m[3] !== undefined) out.push({ kind: 'code', text: decode(m[3]) });
    else if (m[4] !== undefined) plain(emoji(m[0]));
    else if (m[5] !== undefined) out.push({ kind: 'bold', text: emoji(decode(m[5])) });
    else if (m[6] !== undefined) out.push({ kind: 'italic', text: decode(m[6]) });
    else if (m[7] !== undefined) out.push({ kind: 'strike', text: decode(m[7]) });
    last = re.lastIndex;
  }
  if (last < text.length) plain(emoji(decode(text.slice(last))));
  return out;
}

/**
 * A whole mrkdwn text: ``` code blocks, `> ` quoted lines (escaped as `&gt; ` by the app), and
 * inline pieces line by line with a `br` between lines.
 * @param {unknown} text
 * @param {Names} names
 * @returns {Piece[]}
 */
export function parseMrkdwn(text, names) {
  /** @type {Piece[]} */
  const out = [];
  const parts = String(text || '').split('```');
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      out.push({ kind: 'pre', text: decode(part.replace(/^\n/, '')) });
      return;
    }
    part.split('\n').forEach((line, j, lines) => {
      if (line.startsWith('&gt; ')) out.push({ kind: 'quote', children: parseInline(line.slice(5), names) });
      else out.push(...parseInline(line, names));
      if (j < lines.length - 1) out.push({ kind: 'br' });
    });
  });
  return out;
}
