import type { ComplianceReference } from '../compliance-references';
import type { EvidenceRecord } from './evidence-record';
import { formatProblem, type EvidenceVerification } from './verify-evidence';

/** What a report is built from: one case's records in chain order and the result of verifying them. */
export interface CaseReportInput {
  caseId: string;
  records: EvidenceRecord[];
  integrity: EvidenceVerification;
  generatedAt: string;
  /** Where the records are (folder or s3:// URI), printed so that the assessor can re-verify. */
  evidenceLocation?: string;
}

interface Row {
  [column: string]: string;
}

/** The report's content, independent of its format. */
export interface CaseReportModel {
  caseId: string;
  accountId: string;
  accountName?: string;
  outcome?: { status: string; summary?: string; at: string };
  openedAt?: string;
  lastEventAt?: string;
  detectionSource?: string;
  keys: string[];
  integrity: { ok: boolean; summary: string; problems: string[] };
  evidenceLocation?: string;
  generatedAt: string;
  timeline: Row[];
  decisions: Row[];
  actions: Row[];
  runbookSteps: Row[];
  verifications: Row[];
  findingUpdates: Row[];
  chain: Row[];
  keyIds: string[];
  complianceReferences: ComplianceReference[];
  details: { title: string; json: string }[];
}

/** Pulls what an assessor reads out of the records; unknown event data still appears in the details. */
export function buildCaseReportModel(input: CaseReportInput): CaseReportModel {
  const { records } = input;
  const first = records[0];
  const outcomeRecord = [...records].reverse().find((r) => r.type === 'outcome');
  const detection = records.find((r) => r.type === 'detection');
  const problems = input.integrity.problems.map(formatProblem);
  const signatures = input.integrity.signaturesValid;
  return {
    caseId: input.caseId,
    accountId: first?.accountId ?? 'unknown',
    accountName: records.map(accountNameOf).find((n) => n !== undefined),
    outcome: outcomeRecord
      ? {
          status: str(outcomeRecord.data.status) ?? 'recorded',
          summary: str(outcomeRecord.data.summary),
          at: outcomeRecord.at,
        }
      : undefined,
    openedAt: first?.at,
    lastEventAt: records[records.length - 1]?.at,
    detectionSource: detection ? detectionSourceOf(detection) : undefined,
    keys: detection ? maskedKeysOf(detection) : [],
    integrity: {
      ok: input.integrity.ok,
      summary: `${
        input.integrity.ok
          ? `Verified ${input.generatedAt}: ${records.length} record(s), hash chain intact, ${signatures} signature(s) valid.`
          : `Verification ${input.generatedAt} FAILED: ${problems.length} problem(s). Do not rely on this case's evidence before they are explained.`
      } ${keyTrustSentence(input.integrity)}`,
      problems,
    },
    evidenceLocation: input.evidenceLocation,
    generatedAt: input.generatedAt,
    timeline: records.map((r) => ({ '#': String(r.sequence), Time: r.at, Event: r.type, Summary: summarize(r) })),
    decisions: records.filter((r) => r.type === 'decision').map(decisionRow),
    actions: records.filter((r) => r.type === 'action').map(actionRow),
    runbookSteps: records.filter((r) => r.type === 'runbook-step').map(runbookRow),
    verifications: records.filter((r) => r.type === 'verification').map(verificationRow),
    findingUpdates: records.filter((r) => r.type === 'finding-update').map(findingRow),
    chain: records.map((r) => ({
      '#': String(r.sequence),
      'Account #': String(r.accountSequence),
      Event: r.type,
      Recorded: r.recordedAt,
      Digest: r.digest,
      'Previous digest': r.previousDigest ?? '(first)',
      'Signature key': `${r.signature.keyId} (${r.signature.algorithm})`,
    })),
    keyIds: [...new Set(records.map((r) => r.signature.keyId))],
    complianceReferences: first?.complianceReferences ?? [],
    details: records.map((r) => ({
      title: `#${r.sequence} ${r.type} — ${r.at}`,
      json: JSON.stringify(r.data, null, 2),
    })),
  };
}

/** Whether the signing key was pinned, and which fingerprint signed how many records: an auditor's first question. */
function keyTrustSentence(integrity: EvidenceVerification): string {
  const signed = integrity.signers.map((s) => `sha256:${s.fingerprint} signed ${s.records}`).join('; ');
  return integrity.pinned
    ? `Signing key pinned${signed ? ` (${signed})` : ''}.`
    : `Signing key UNPINNED${signed ? ` (${signed})` : ''}: compare the fingerprint with the pin kept apart from the evidence.`;
}

/** The report as Markdown: headings, tables and fenced JSON, readable as plain text too. */
export function renderCaseReportMarkdown(input: CaseReportInput): string {
  const m = buildCaseReportModel(input);
  const out: string[] = [];
  out.push(`# Root access key case ${md(m.caseId)}`, '');
  out.push(`Evidence report generated ${md(m.generatedAt)} by rootkey.`, '');
  out.push('## Summary', '');
  out.push(mdTable(summaryRows(m)), '');
  out.push('## Integrity', '');
  out.push(`${m.integrity.ok ? '**Intact.**' : '**NOT INTACT.**'} ${md(m.integrity.summary)}`, '');
  for (const p of m.integrity.problems) out.push(`- ${md(p)}`);
  if (m.integrity.problems.length) out.push('');
  if (m.evidenceLocation) {
    out.push(`Re-verify at any time with \`rootkey evidence verify ${m.evidenceLocation.replace(/`/g, '')}\`.`, '');
  }
  for (const [title, rows, empty] of sections(m)) {
    out.push(`## ${title}`, '');
    out.push(rows.length ? mdTable(rows) : `_${empty}_`, '');
  }
  out.push('## Compliance references', '');
  for (const r of m.complianceReferences) out.push(`- **${md(r.framework)} ${md(r.control)}** — ${md(r.title)}`);
  out.push('', '## Record details', '');
  for (const d of m.details) {
    const fence = '`'.repeat(Math.max(3, longestRun(d.json, '`') + 1));
    out.push(`### ${md(d.title)}`, '', `${fence}json`, d.json, fence, '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** The report as one self-contained HTML page (inline CSS, no scripts, no external resources), print-friendly. */
export function renderCaseReportHtml(input: CaseReportInput): string {
  const m = buildCaseReportModel(input);
  const body: string[] = [];
  body.push(`<h1>Root access key case <code>${html(m.caseId)}</code></h1>`);
  body.push(`<p class="meta">Evidence report generated ${html(m.generatedAt)} by rootkey.</p>`);
  body.push('<h2>Summary</h2>', htmlTable(summaryRows(m)));
  body.push('<h2>Integrity</h2>');
  body.push(
    `<p class="${m.integrity.ok ? 'ok' : 'bad'}"><strong>${m.integrity.ok ? 'Intact.' : 'NOT INTACT.'}</strong> ${html(m.integrity.summary)}</p>`,
  );
  if (m.integrity.problems.length)
    body.push(`<ul>${m.integrity.problems.map((p) => `<li>${html(p)}</li>`).join('')}</ul>`);
  if (m.evidenceLocation) {
    body.push(`<p>Re-verify at any time with <code>rootkey evidence verify ${html(m.evidenceLocation)}</code>.</p>`);
  }
  for (const [title, rows, empty] of sections(m)) {
    body.push(`<h2>${html(title)}</h2>`, rows.length ? htmlTable(rows) : `<p class="empty">${html(empty)}</p>`);
  }
  body.push('<h2>Compliance references</h2>');
  body.push(
    `<ul>${m.complianceReferences.map((r) => `<li><strong>${html(r.framework)} ${html(r.control)}</strong> — ${html(r.title)}</li>`).join('')}</ul>`,
  );
  body.push('<h2>Record details</h2>');
  for (const d of m.details) body.push(`<h3>${html(d.title)}</h3>`, `<pre>${html(d.json)}</pre>`);
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Evidence report ${html(m.caseId)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const STYLE = [
  'body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#111;line-height:1.4}',
  'h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}h3{font-size:1rem}',
  'table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:.85rem}',
  'th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}',
  'th{background:#f0f0f0}code,pre{font-family:ui-monospace,Menlo,Consolas,monospace}',
  'pre{background:#f7f7f7;border:1px solid #ddd;padding:.5rem;white-space:pre-wrap;overflow-wrap:anywhere;font-size:.8rem}',
  '.ok{color:#0a5d0a}.bad{color:#a40000}.meta,.empty{color:#555}',
  '@media print{body{margin:0;font-size:10pt}h2{break-after:avoid}tr,pre{break-inside:avoid}th{background:#eee!important}}',
].join('');

function summaryRows(m: CaseReportModel): Row[] {
  const rows: [string, string | undefined][] = [
    ['Case', m.caseId],
    ['Account', m.accountName ? `${m.accountId} (${m.accountName})` : m.accountId],
    [
      'Outcome',
      m.outcome
        ? `${m.outcome.status}${m.outcome.summary ? ` — ${m.outcome.summary}` : ''}`
        : 'open (no outcome recorded yet)',
    ],
    ['Opened', m.openedAt],
    ['Closed', m.outcome?.at],
    ['Last event', m.lastEventAt],
    ['Detected by', m.detectionSource],
    ['Root access keys', m.keys.length ? m.keys.join(', ') : undefined],
    ['Evidence records', String(m.timeline.length)],
    ['Chain head digest', m.chain[m.chain.length - 1]?.Digest],
    ['Signing key', m.keyIds.join(', ') || undefined],
    ['Evidence location', m.evidenceLocation],
  ];
  return rows.filter(([, v]) => v !== undefined).map(([k, v]) => ({ Field: k, Value: v ?? '' }));
}

function sections(m: CaseReportModel): [string, Row[], string][] {
  return [
    ['Timeline', m.timeline, 'No records.'],
    ['Decisions', m.decisions, 'No decision was recorded.'],
    ['Actions on the account', m.actions, 'No AWS call changed the account.'],
    ['Runbook steps', m.runbookSteps, 'No manual runbook step was recorded.'],
    ['Verification', m.verifications, 'No verification was recorded.'],
    ['Security Hub finding updates', m.findingUpdates, 'No finding update was recorded.'],
    ['Hash chain and signatures', m.chain, 'No records.'],
  ];
}

function summarize(r: EvidenceRecord): string {
  const d = r.data;
  switch (r.type) {
    case 'detection': {
      const keys = maskedKeysOf(r);
      return (
        str(d.reason) ??
        [str(d.status), keys.length ? `keys: ${keys.join(', ')}` : undefined].filter(Boolean).join('; ')
      );
    }
    case 'decision': {
      const row = decisionRow(r);
      return `${row.Who} chose ${row.Action}${row.Reason ? ` (${row.Reason})` : ''}`;
    }
    case 'action': {
      const row = actionRow(r);
      return `${row.API} — ${row.Result}${row['Request id'] ? ` (request ${row['Request id']})` : ''}`;
    }
    case 'verification':
      return verificationRow(r).Result;
    case 'runbook-step': {
      const row = runbookRow(r);
      return `step ${row.Step} confirmed${row.By ? ` by ${row.By}` : ''}`;
    }
    case 'finding-update':
      return `finding ${findingRow(r).Status}`;
    case 'outcome':
      return `${str(d.status) ?? 'outcome'}${str(d.summary) ? `: ${str(d.summary)}` : ''}${errorText(d.error) ? ` — ${errorText(d.error)}` : ''}`;
    case 'approval-requested':
      return `approval requested${num(d.requiredApprovals) ? ` (${num(d.requiredApprovals)} approver(s) needed)` : ''}`;
    case 'reminder':
      return `reminder${num(d.reminderNumber) ? ` #${num(d.reminderNumber)}` : ''}`;
    case 'escalation':
      return 'escalated';
    default:
      return '';
  }
}

function decisionRow(r: EvidenceRecord): Row {
  const d = r.data;
  const approvers = Array.isArray(d.approvers) ? (d.approvers as Record<string, unknown>[]) : [];
  const who =
    person(str(d.userName), str(d.userId)) ??
    (approvers
      .map((a) => person(str(a.userName), str(a.userId)))
      .filter(Boolean)
      .join(', ') ||
      'unknown');
  return {
    Who: who,
    Action: str(d.action) ?? 'unknown',
    When: str(d.at) ?? str(d.decidedAt) ?? r.at,
    Reason: str(d.reason) ?? '',
    'Risk accepted until': str(d.expiresAt) ?? '',
  };
}

function actionRow(r: EvidenceRecord): Row {
  const d = r.data;
  return {
    API: str(d.api) ?? 'unknown',
    'Request id': str(d.requestId) ?? '',
    Result: str(d.result) ?? str(d.outcome) ?? (d.error ? 'failure' : 'unknown'),
    Key: str(d.keyId) ?? '',
    Time: str(d.at) ?? r.at,
    Error: errorText(d.error) ?? '',
  };
}

function runbookRow(r: EvidenceRecord): Row {
  const d = r.data;
  const by = d.by as Record<string, unknown> | string | undefined;
  const who =
    typeof by === 'string'
      ? by
      : by
        ? person(str(by.userName), str(by.userId))
        : person(str(d.userName), str(d.userId));
  return {
    Step: str(d.stepId) ?? str(d.title) ?? '?',
    Title: str(d.title) ?? '',
    By: who ?? '',
    Time: str(d.at) ?? r.at,
  };
}

function verificationRow(r: EvidenceRecord): Row {
  const d = r.data;
  const gone = typeof d.gone === 'boolean' ? d.gone : undefined;
  const signals = d.signals && typeof d.signals === 'object' ? (d.signals as Record<string, unknown>) : {};
  return {
    Attempt: num(d.attempt) !== undefined ? String(num(d.attempt)) : '',
    'Read at': str(d.readAt) ?? r.at,
    Method: str(d.method) ?? '',
    Result:
      gone === true
        ? 'no root access key present'
        : gone === false
          ? 'root access key still present'
          : (str(d.status) ?? 'recorded'),
    Signals: Object.entries(signals)
      .map(([k, v]) => `${k}=${short(v)}`)
      .join('; '),
  };
}

function findingRow(r: EvidenceRecord): Row {
  const d = r.data;
  return {
    Status: str(d.status) ?? 'unknown',
    Updated: typeof d.updated === 'boolean' ? (d.updated ? 'yes' : 'no (no finding)') : '',
    Finding: str(d.findingId) ?? '',
    Note: str(d.note) ?? '',
    Time: r.at,
  };
}

function accountNameOf(r: EvidenceRecord): string | undefined {
  const d = r.data as Record<string, Record<string, Record<string, unknown>> | undefined>;
  return str(r.data.accountName) ?? str(d.account?.name) ?? str(d.posture?.account?.name);
}

function detectionSourceOf(r: EvidenceRecord): string | undefined {
  const trigger = r.data.trigger as Record<string, unknown> | undefined;
  return str(trigger?.source) ?? str(r.data.source);
}

function maskedKeysOf(r: EvidenceRecord): string[] {
  const posture = r.data.posture as Record<string, unknown> | undefined;
  const keys = (
    Array.isArray(r.data.keys) ? r.data.keys : Array.isArray(posture?.keys) ? posture.keys : []
  ) as unknown[];
  return keys
    .map((k) => {
      const key = k as Record<string, unknown>;
      const id = str(key?.maskedId);
      return id ? `${id}${str(key.status) ? ` (${str(key.status)})` : ''}` : undefined;
    })
    .filter((k): k is string => k !== undefined);
}

function person(name: string | undefined, id: string | undefined): string | undefined {
  if (name && id) return `${name} (${id})`;
  return name ?? id;
}

function errorText(e: unknown): string | undefined {
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object') {
    const { name, message } = e as { name?: unknown; message?: unknown };
    return [str(name), str(message)].filter(Boolean).join(': ') || undefined;
  }
  return undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function short(v: unknown): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

function longestRun(s: string, ch: string): number {
  let best = 0;
  let run = 0;
  for (const c of s) {
    run = c === ch ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best;
}

/** Markdown-escapes text for a paragraph or a table cell (no line breaks, no markup, no raw HTML). */
function md(text: string): string {
  return text.replace(/\r?\n|\r/g, ' ').replace(/([\\`*_[\]|<>~&])/g, '\\$1');
}

function mdTable(rows: Row[]): string {
  const columns = Object.keys(rows[0]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(columns.map(md)),
    line(columns.map(() => '---')),
    ...rows.map((r) => line(columns.map((c) => md(r[c] ?? '')))),
  ].join('\n');
}

function html(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

function htmlTable(rows: Row[]): string {
  const columns = Object.keys(rows[0]);
  const head = `<tr>${columns.map((c) => `<th>${html(c)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${columns.map((c) => `<td>${html(r[c] ?? '')}</td>`).join('')}</tr>`).join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}
