/**
 * Makes external text (account names, reasons, user input, runbook lines) safe inside Slack mrkdwn.
 *
 * Slack reads `<…>` as control sequences (`<!channel>`, `<@U123>`, `<!subteam^S1>`, `<https://x|label>`)
 * and wants `&`, `<`, `>` written as entities; escaping those three makes every such sequence plain
 * text. Bare `@channel` / `@here` / `@everyone` get a zero-width space after the `@` because some
 * clients still notify on them. Control characters (other than newline and tab) are dropped.
 * `maxLength` truncates the raw text first, so an entity is never cut in half.
 */
export function escapeSlackText(text: string, maxLength?: number): string {
  // Control characters other than newline and tab render as garbage or break the payload.
  const cleaned = [...text].filter((ch) => !isControl(ch)).join('');
  const cut =
    maxLength !== undefined && cleaned.length > maxLength
      ? `${cleaned.slice(0, Math.max(0, maxLength - 1))}…`
      : cleaned;
  return cut
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(channel|here|everyone)\b/gi, '@\u200b$1');
}

/** Slack user and group ids as Slack issues them; anything else is shown as escaped text. */
const USER_ID = /^[UW][A-Z0-9]{2,20}$/;
const GROUP_ID = /^S[A-Z0-9]{2,20}$/;

/** `<@U123>` for a real Slack user id, the escaped text otherwise (never a mention of something else). */
export function mentionUser(userId: string): string {
  return USER_ID.test(userId) ? `<@${userId}>` : escapeSlackText(userId);
}

/** `<!subteam^S123>` for a real user group id, the escaped text otherwise. */
export function mentionGroup(groupId: string): string {
  return GROUP_ID.test(groupId) ? `<!subteam^${groupId}>` : escapeSlackText(groupId);
}

export function isSlackUserId(value: string): boolean {
  return USER_ID.test(value);
}

export function isSlackGroupId(value: string): boolean {
  return GROUP_ID.test(value);
}

/**
 * A time Slack renders in each reader's time zone, with a UTC fallback for clients that cannot:
 * `<!date^1700000000^{date_short_pretty} {time}|2023-11-14 22:13 UTC>`.
 */
export function slackTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return escapeSlackText(iso);
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${utcText(iso)}>`;
}

/** `2023-11-14 22:13 UTC`, what {@link slackTime} falls back to. */
export function utcText(iso: string): string {
  const d = new Date(iso);
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The calendar date of an ISO instant, in UTC (`2025-03-01`). */
export function utcDate(iso: string): string {
  return new Date(iso).toISOString().slice(0, 10);
}

function isControl(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return (code < 0x20 && ch !== '\n' && ch !== '\t') || code === 0x7f;
}
