// The side panel's case list: which cases need someone, their outcome, report and JSON links.
import { $, el } from './dom.js';

/**
 * @typedef {import('./types.js').CaseSummary} CaseSummary
 * @typedef {{ selected: string | null, select(caseId: string): unknown, operatorRemove(accountId: string): unknown }} CaseListContext
 */

/**
 * Cases that need someone first, then the other open ones, then closed ones.
 * @param {CaseSummary} c
 */
export function caseRank(c) {
  if (c.needsAction) return 0;
  if (!c.closedAt) return 1;
  return 2;
}

/**
 * By rank, newest first in each rank; the list given is left as it is.
 * @param {CaseSummary[]} cases
 */
export function sortCases(cases) {
  return cases
    .slice()
    .sort((a, b) => caseRank(a) - caseRank(b) || String(b.openedAt).localeCompare(String(a.openedAt)));
}

/**
 * @param {CaseSummary[]} cases
 * @param {CaseListContext} ctx
 */
export function renderCases(cases, ctx) {
  const root = $('#cases');
  root.innerHTML = '';
  if (!cases.length)
    root.append(el('p', { class: 'hint' }, 'No case yet. Cases open when the workflow finds a root key.'));
  for (const c of sortCases(cases)) root.append(renderCase(c, ctx));
}

/**
 * @param {CaseSummary} c
 * @param {CaseListContext} ctx
 */
function renderCase(c, ctx) {
  const outcome = c.outcome && c.status !== 'remediated' && c.status !== 'compliant' ? c.outcome : undefined;
  return el(
    'div',
    {
      class: 'case' + (ctx.selected === c.caseId ? ' selected' : ''),
      'data-case-id': c.caseId,
      'data-status': c.status,
      'data-testid': 'case',
      onclick: () => ctx.select(c.caseId),
    },
    el(
      'div',
      { class: 'row' },
      el('b', {}, `${c.accountName} (${c.accountId})`),
      el('span', { class: 'status ' + c.status, 'data-testid': 'case-status' }, c.status),
    ),
    el('div', { class: 'hint' }, c.caseId, ' · ', c.trigger, c.fromEarlierRun ? ' · earlier run' : ''),
    c.needsAction
      ? el('div', { class: 'needs-action', 'data-testid': 'case-needs-action' }, 'Needs action in Slack')
      : null,
    outcome
      ? el(
          'div',
          { class: 'outcome ' + c.status, 'data-testid': 'case-outcome' },
          outcome.summary,
          outcome.error && !outcome.summary.includes(outcome.error.message)
            ? ` (${outcome.error.name}: ${outcome.error.message})`
            : '',
        )
      : null,
    el(
      'div',
      { class: 'links' },
      c.reportUrl
        ? el('a', { href: c.reportUrl, target: '_blank', 'data-testid': 'report-link' }, 'Evidence report')
        : null,
      el('a', { href: `/api/cases/${encodeURIComponent(c.caseId)}`, target: '_blank' }, 'JSON'),
      c.canOperatorRemove
        ? el(
            'button',
            {
              'data-testid': 'operator-remove',
              title: 'Do what the runbook says in the (simulated) AWS console',
              onclick: (ev) => (ev.stopPropagation(), ctx.operatorRemove(c.accountId)),
            },
            'Simulate: delete the key in the console',
          )
        : null,
    ),
  );
}
