import { RUNBOOK_VARIANT_LABELS, type Runbook } from './runbook';

/**
 * Renders a runbook as Markdown for people (the CLI, the evidence report, a ticket). Instructions
 * that start with two spaces and a dash are sub-items (the key list) and stay nested.
 */
export function renderRunbookMarkdown(runbook: Runbook, headingLevel = 1): string {
  const h = '#'.repeat(Math.min(6, Math.max(1, headingLevel)));
  const lines: string[] = [
    `${h} ${runbook.title}`,
    '',
    `Account: ${runbook.accountId} (${runbook.accountName}) · Variant: ${RUNBOOK_VARIANT_LABELS[runbook.variant]} (\`${runbook.variant}\`)`,
    '',
  ];
  runbook.steps.forEach((step, index) => {
    lines.push(`${h}# ${index + 1}. ${step.title} \`${step.id}\``, '');
    if (step.warning) lines.push(`> **Warning:** ${step.warning}`, '');
    let n = 0;
    for (const instruction of step.instructions) {
      if (instruction.startsWith('  - ')) {
        lines.push(`   ${instruction.trimStart()}`);
      } else {
        n += 1;
        lines.push(`${n}. ${instruction}`);
      }
    }
    lines.push('');
    if (step.cli) lines.push('CLI equivalent:', '', '```sh', step.cli, '```', '');
    if (step.check) lines.push(`Check: ${step.check}`, '');
  });
  lines.push(`${h}# Afterwards`, '', ...runbook.afterwards.map((a) => `- ${a}`), '');
  return lines.join('\n');
}

/** Several runbooks (the generic one covers every variant) in one document. */
export function renderRunbooksMarkdown(runbooks: readonly Runbook[], title: string, intro: string[] = []): string {
  const parts = [
    `# ${title}`,
    '',
    ...intro.flatMap((p) => [p, '']),
    ...runbooks.map((r) => renderRunbookMarkdown(r, 2)),
  ];
  return parts.join('\n');
}
