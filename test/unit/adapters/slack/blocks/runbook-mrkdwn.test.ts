import type { Case } from '../../../../../functions/core/case';
import { buildRunbook, type RunbookVariant } from '../../../../../functions/core/runbook';
import type { RootKey } from '../../../../../functions/core/root-key';
import type { KnownBlock } from '../../../../../functions/adapters/slack/blocks/approval-message';
import {
  buildRunbookStepMessage,
  runbookText,
} from '../../../../../functions/adapters/slack/blocks/runbook-step-message';
import { NOW, RECENTLY_USED_KEY, runbookCase, UNUSED_KEY } from '../../../../support/slack/case-fixture';
import { formattedPart, formattedSpans } from '../../../../support/slack/mrkdwn-rules';

/** Every mrkdwn text of a message's blocks, in order. */
function mrkdwnTexts(blocks: KnownBlock[]): string[] {
  const texts: string[] = [];
  for (const b of blocks as { text?: { type: string; text: string }; elements?: { type: string; text?: string }[] }[]) {
    if (b.text?.type === 'mrkdwn') texts.push(b.text.text);
    for (const e of b.elements ?? []) if (e.type === 'mrkdwn' && e.text) texts.push(e.text);
  }
  return texts;
}

const NO_ID_KEY: RootKey = { maskedId: 'key 1 (id not in the credential report)', status: 'Active' };

const VARIANTS: { name: string; variant: RunbookVariant; keys: RootKey[]; management?: boolean }[] = [
  { name: 'privileged action (member account)', variant: 'console-privileged-action', keys: [RECENTLY_USED_KEY] },
  {
    name: 'root sign-in (management account, two keys)',
    variant: 'root-sign-in',
    keys: [RECENTLY_USED_KEY, UNUSED_KEY],
    management: true,
  },
  { name: 'password recovery', variant: 'password-recovery', keys: [UNUSED_KEY], management: true },
  {
    name: 'root sign-in, key read from the credential report only',
    variant: 'root-sign-in',
    keys: [NO_ID_KEY],
    management: true,
  },
];

describe.each(VARIANTS)('runbook steps in Slack mrkdwn: $name', ({ variant, keys, management }) => {
  const base = runbookCase('x', { keys, ...(management ? { management: true } : {}) });
  const c: Case = { ...base, runbook: { variant, completed: [] } };
  const runbook = buildRunbook({ account: c.posture.account, removalPaths: c.removalPaths, keys, now: NOW, variant });
  const messages = runbook.steps.map((s) => ({ step: s, message: buildRunbookStepMessage(c, runbook, s.id) }));

  it('formats nothing by accident: no italics or strikethrough, bold only for the labels', () => {
    for (const { step, message } of messages) {
      const texts = mrkdwnTexts(message.blocks);
      const spans = texts.flatMap(formattedSpans);
      expect(spans.filter((s) => s.kind !== 'bold')).toEqual([]);
      const bold = spans.map((s) => s.text);
      const allowed = [runbook.title, step.title, 'Check:', 'Afterwards:'].map((t) => runbookText(t));
      for (const b of bold) expect(allowed).toContain(b);
      // With the intended bold spans taken out, no formatting character is left for Slack to read.
      const rest = texts
        .map(formattedPart)
        .join('\n')
        .replace(/\*[^*\n]+\*/g, (m) => (allowed.includes(m.slice(1, -1)) ? ' ' : m));
      expect(rest).not.toMatch(/[_*~]/);
    }
  });

  it('numbers instructions and shows a key detail as an indented bullet, never as a step', () => {
    for (const { step, message } of messages) {
      const list = mrkdwnTexts(message.blocks)[1]!.split('\n');
      expect(list.filter((l) => /^\d+\. +[-•]/.test(l))).toEqual([]);
      const numbers = list.filter((l) => /^\d+\. /.test(l)).map((l) => Number(l.split('.')[0]));
      expect(numbers).toEqual(numbers.map((_, i) => i + 1));
      const details = step.instructions.filter((i) => i.startsWith('  - ')).length;
      expect(list.filter((l) => /^ +• /.test(l))).toHaveLength(details);
    }
  });

  it('offers one way to verify on the last step', () => {
    const last = messages.at(-1)!.message.blocks.at(-1) as { elements: { text: { text: string } }[] };
    expect(last.elements.map((e) => e.text.text)).toEqual(['Step done: verify now']);
    const first = messages[0]!.message.blocks.at(-1) as { elements: { text: { text: string } }[] };
    expect(first.elements.map((e) => e.text.text)).toEqual(['Step done', 'Verify now']);
  });

  it('asks for the full key id only where the case has one', () => {
    const text = JSON.stringify(messages[0]!.message.blocks);
    if (keys.some((k) => k.id)) expect(text).toContain('the full key id');
    else expect(text).not.toContain('the full key id');
    expect(text).not.toMatch(/key key/i);
  });
});

describe('runbookText', () => {
  it("puts identifiers with formatting characters into code spans and keeps the runbook's own code", () => {
    expect(runbookText('The report shows access_key_1_active as false.')).toBe(
      'The report shows `access_key_1_active` as false.',
    );
    expect(runbookText('Keys (AKIA****0042, AKIA****0043) and `rootkey runbook --variant x`')).toBe(
      'Keys (`AKIA****0042`, `AKIA****0043`) and `rootkey runbook --variant x`',
    );
    expect(runbookText('a <b> & c')).toBe('a &lt;b&gt; &amp; c');
  });
});
