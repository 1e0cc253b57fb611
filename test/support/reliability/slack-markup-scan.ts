import type { RecordedSlackCall } from '../slack/slack-web-api-double';

/** One piece of Slack mrkdwn the app sent: where it was and what it said. */
export interface SentText {
  method: string;
  path: string;
  text: string;
}

/** What the app may legitimately put in `<…>`: mentions of known people, its own dates. */
export interface MarkupAllowance {
  /** Slack user ids the app may mention (approvers, clickers, requesters it got from Slack). */
  userIds: Iterable<string>;
  /** User group ids it may mention (the configured escalation group). */
  groupIds?: Iterable<string>;
  /** Whether `<!here>` / `<!channel>` may appear (only when configured as the escalation target). */
  broadcast?: boolean;
}

/** A control sequence or bare broadcast that should not be in a message. */
export interface MarkupFinding extends SentText {
  sequence: string;
}

/** `slackTime()`: `<!date^SECONDS^{date_short_pretty} {time}|2026-11-28 10:00 UTC>`. */
const DATE = /^<!date\^\d+\^\{date_short_pretty\} \{time\}\|\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC>$/;
/** `reportLink()`: a plain https report address (no `|`, `<`, `>` inside). */
const REPORT_LINK = /^<https:\/\/[^\s|<>]+\|Open the report>$/;

/**
 * Every mrkdwn text of every recorded Web API call (`text`, and each `{ type: 'mrkdwn' }` object in
 * blocks, attachments and views, `response_url` posts included). `plain_text` is left out: Slack shows
 * it literally.
 */
export function sentTexts(calls: readonly RecordedSlackCall[]): SentText[] {
  const out: SentText[] = [];
  for (const call of calls) {
    const walk = (value: unknown, path: string, mrkdwnByDefault: boolean) => {
      if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${path}[${i}]`, false));
      if (!value || typeof value !== 'object') return;
      const o = value as Record<string, unknown>;
      if (typeof o['text'] === 'string' && (o['type'] === 'mrkdwn' || (mrkdwnByDefault && o['mrkdwn'] !== false))) {
        out.push({ method: call.method, path: `${path}.text`, text: o['text'] });
      }
      for (const [k, v] of Object.entries(o)) if (typeof v === 'object') walk(v, `${path}.${k}`, false);
    };
    walk(call.args, 'args', true);
  }
  return out;
}

/**
 * Control sequences (`<…>`) other than the allowed mentions, the app's own dates and report links,
 * and bare `@channel` / `@here` / `@everyone`, found in what the app sent.
 */
export function unexpectedMarkup(calls: readonly RecordedSlackCall[], allow: MarkupAllowance): MarkupFinding[] {
  const users = new Set(allow.userIds);
  const groups = new Set(allow.groupIds ?? []);
  const allowed = (sequence: string): boolean => {
    if (DATE.test(sequence) || REPORT_LINK.test(sequence)) return true;
    const user = /^<@([UW][A-Z0-9]{2,20})>$/.exec(sequence);
    if (user) return users.has(user[1]!);
    const group = /^<!subteam\^(S[A-Z0-9]{2,20})>$/.exec(sequence);
    if (group) return groups.has(group[1]!);
    return Boolean(allow.broadcast) && /^<!(here|channel)>$/.test(sequence);
  };
  const findings: MarkupFinding[] = [];
  for (const sent of sentTexts(calls)) {
    for (const match of sent.text.matchAll(/<[^<>]*>/g)) {
      if (!allowed(match[0])) findings.push({ ...sent, sequence: match[0] });
    }
    // Stray angle brackets would pair up with the app's own markup around them (a `>` opening a line
    // is the app quoting a reason).
    const rest = sent.text.replace(/<[^<>]*>/g, '').replace(/^>/gm, '');
    if (/[<>]/.test(rest)) findings.push({ ...sent, sequence: 'unpaired < or >' });
    // Escaped text carries a zero-width space after the @, which this does not match.
    for (const match of sent.text.matchAll(/@(channel|here|everyone)\b/gi))
      findings.push({ ...sent, sequence: match[0] });
  }
  return findings;
}
