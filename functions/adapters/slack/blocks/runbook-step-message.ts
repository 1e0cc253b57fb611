import type { types } from '@slack/bolt';
import type { Approver, Case } from '../../../core/case';
import { InvalidInputError } from '../../../core/errors';
import type { Runbook, RunbookStep } from '../../../core/runbook';
import { mrkdwn, plain, type KnownBlock, type SlackMessage } from './approval-message';
import { escapeSlackText, mentionUser, slackTime } from './escape-slack-text';
import { ACTION_IDS, runbookStepBlockId } from './ids';

/**
 * One runbook step as a thread reply: its exact instructions, the CLI equivalent, what can break and
 * how to check it, with "Step done" and "Verify now" buttons. The buttons carry the case id; the
 * step's id travels in the actions block's id so that an old step's button cannot confirm a newer one.
 */
export function buildRunbookStepMessage(c: Case, runbook: Runbook, stepId: string): SlackMessage {
  const { step, index } = findStep(runbook, stepId);
  const last = index === runbook.steps.length - 1;
  const elements: types.Button[] = [
    {
      type: 'button',
      action_id: ACTION_IDS.confirmStep,
      value: c.caseId,
      style: 'primary',
      text: plain(last ? 'Step done: verify now' : 'Step done'),
    },
  ];
  // On the last step "Step done" already verifies: a second button doing the same would only confuse.
  if (!last)
    elements.push({
      type: 'button',
      action_id: ACTION_IDS.verifyNow,
      value: c.caseId,
      text: plain('Verify now'),
    });
  return {
    text: `Runbook step ${index + 1} of ${runbook.steps.length} for ${escapeSlackText(c.accountName, 100)} (${c.accountId}): ${escapeSlackText(step.title, 150)}`,
    blocks: [...stepBlocks(runbook, step, index), { type: 'actions', block_id: runbookStepBlockId(step.id), elements }],
  };
}

/** The step after someone confirmed it: same instructions, no buttons, who and when. */
export function buildRunbookStepDone(runbook: Runbook, stepId: string, by: Approver, at: string): SlackMessage {
  const { step, index } = findStep(runbook, stepId);
  return {
    text: `Runbook step ${index + 1} done: ${escapeSlackText(step.title, 150)}`,
    blocks: [
      ...stepBlocks(runbook, step, index),
      {
        type: 'context',
        elements: [mrkdwn(`:white_check_mark: Done, confirmed by ${mentionUser(by.userId)} ${slackTime(at)}`)],
      },
    ],
  };
}

function stepBlocks(runbook: Runbook, step: RunbookStep, index: number): KnownBlock[] {
  const total = runbook.steps.length;
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: mrkdwn(
        `*${escapeSlackText(runbook.title, 200)}*\nStep ${index + 1} of ${total}: *${escapeSlackText(step.title, 200)}*`,
      ),
    },
    { type: 'section', text: mrkdwn(instructionList(step.instructions).slice(0, 2900)) },
  ];
  if (step.warning) blocks.push({ type: 'section', text: mrkdwn(`:warning: ${runbookText(step.warning, 1500)}`) });
  if (step.cli) blocks.push({ type: 'section', text: mrkdwn(`\`\`\`${codeBlockText(step.cli)}\`\`\``) });
  if (step.check) blocks.push({ type: 'context', elements: [mrkdwn(`*Check:* ${runbookText(step.check, 1500)}`)] });
  if (index === total - 1 && runbook.afterwards.length > 0) {
    blocks.push({
      type: 'context',
      elements: [mrkdwn(`*Afterwards:* ${runbook.afterwards.map((a) => runbookText(a, 400)).join(' · ')}`)],
    });
  }
  return blocks;
}

/**
 * Numbered instructions; a line starting with "  - " is a detail of the instruction above it (the
 * runbook's convention, as in runbook-markdown.ts) and becomes an indented bullet without a number.
 * mrkdwn has no nested lists, so the bullet is a "•" character after a few spaces.
 */
function instructionList(instructions: string[]): string {
  let n = 0;
  return instructions
    .map((line) => {
      if (line.startsWith('  - ')) return `      • ${runbookText(line.slice(4), 600)}`;
      n += 1;
      return `${n}. ${runbookText(line, 600)}`;
    })
    .join('\n');
}

/** A run of non-space characters that contains a character Slack formats with: `_` italic, `*` bold, `~` strike. */
const FORMATTING_WORD = /[^\s`]*[_*~][^\s`]*/g;

/**
 * Runbook text for mrkdwn. Slack reads `_text_` as italics, `*text*` as bold and `~text~` as
 * strikethrough and has no escape character for them; text in a code span is shown as written
 * (https://api.slack.com/reference/surfaces/formatting#basics). So identifiers such as
 * `access_key_1_active` and masked key ids (`AKIA****0042`) go into code spans, and the runbook's own
 * backtick spans stay code. Everything is escaped (&, <, >) first.
 */
export function runbookText(text: string, maxLength?: number): string {
  const escaped = escapeSlackText(text, maxLength);
  return escaped
    .split('`')
    .map((part, i) => (i % 2 === 1 ? part : part.replace(FORMATTING_WORD, codeSpan)))
    .join('`');
}

function codeSpan(word: string): string {
  const lead = /^[("'\u201c]*/.exec(word)![0];
  const trail = /[.,;:)"'\u201d]*$/.exec(word.slice(lead.length))![0];
  const core = word.slice(lead.length, word.length - trail.length);
  if (!/[A-Za-z0-9]/.test(core)) return word;
  return `${lead}\`${core}\`${trail}`;
}

/** Escaped text inside a ``` block, with fences in the text broken so that it cannot close the block. */
function codeBlockText(text: string): string {
  return escapeSlackText(text, 2800).replace(/```/g, '`\u200b`\u200b`');
}

function findStep(runbook: Runbook, stepId: string): { step: RunbookStep; index: number } {
  const index = runbook.steps.findIndex((s) => s.id === stepId);
  const step = runbook.steps[index];
  if (!step) throw new InvalidInputError(`The runbook "${runbook.title}" has no step '${stepId}'`);
  return { step, index };
}
