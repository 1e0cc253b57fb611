/**
 * Slack's mrkdwn rules, as far as a message's author must know them
 * (https://api.slack.com/reference/surfaces/formatting#basics): `*text*` is bold, `_text_` italic,
 * `~text~` struck through, `` `text` `` and ``` ```text``` ``` are code (shown as written), `<…>` is a
 * link or mention, and there is no escape character. A formatting character opens a span only at the
 * start of the text or after a space or punctuation, and closes it only before the end, a space or
 * punctuation, with no space just inside.
 */
export interface FormattedSpan {
  kind: 'bold' | 'italic' | 'strike';
  text: string;
}

const KINDS = { '*': 'bold', _: 'italic', '~': 'strike' } as const;

/** Text outside code blocks, code spans and `<…>` sequences: the part Slack formats. */
export function formattedPart(text: string): string {
  return text
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/`[^`\n]*`/g, ' ')
    .replace(/<[^<>\n]*>/g, ' ');
}

/** The bold, italic and struck-through spans Slack would render in `text`. */
export function formattedSpans(text: string): FormattedSpan[] {
  const plain = formattedPart(text);
  const spans: FormattedSpan[] = [];
  const re = /(^|[\s(.,;:!?'"])([*_~])([^\s*_~](?:[^\n]*?[^\s])?)\2(?=$|[\s).,;:!?'"])/gm;
  for (const m of plain.matchAll(re)) {
    spans.push({ kind: KINDS[m[2] as keyof typeof KINDS], text: m[3]! });
  }
  return spans;
}
