import type { types } from '@slack/bolt';
import type { Approver, Case } from '../../functions/core/case';
import { InvalidInputError } from '../../functions/core/errors';
import type { Runbook, RunbookStep } from '../../functions/core/runbook';
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
  const elements: types.Button[] = [
    {
      type: 'button',
      action_id: ACTION_IDS.confirmStep,
      value: c.caseId,
      style: 'primary',
      text: plain(index === runbook.steps.length - 1 ? 'Step done: verify now' : 'Step done'),
    },
    { type: 'button', action_id: ACTION_IDS.verifyNow, value: c.caseId, text: plain('Verify now') },
  ];
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
    {
      type: 'section',
      text: mrkdwn(
        step.instructions
          .map((line, i) => `${i + 1}. ${escapeSlackText(line, 600)}`)
          .join('\n')
          .slice(0, 2900),
      ),
    },
  ];
  if (step.warning) blocks.push({ type: 'section', text: mrkdwn(`:warning: ${escapeSlackText(step.warning, 1500)}`) });
  if (step.cli) blocks.push({ type: 'section', text: mrkdwn(`\`\`\`${codeBlockText(step.cli)}\`\`\``) });
  if (step.check) blocks.push({ type: 'context', elements: [mrkdwn(`*Check:* ${escapeSlackText(step.check, 1500)}`)] });
  if (index === total - 1 && runbook.afterwards.length > 0) {
    blocks.push({
      type: 'context',
      elements: [mrkdwn(`*Afterwards:* ${runbook.afterwards.map((a) => escapeSlackText(a, 400)).join(' · ')}`)],
    });
  }
  return blocks;
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
