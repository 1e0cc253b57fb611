import type { ComplianceReference } from '../compliance-references';
import { parseEvidenceData } from './evidence-data';
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

/**
 * Pulls what an assessor reads out of the records, each read through its event type's schema;
 * every record's full data also appears in the details.
 */
export function buildCaseReportModel(input: CaseReportInput): CaseReportModel {
  const { records } = input;
  const first = records[0];
  const outcomeRecord = [...records].reverse().find((r) => r.type === 'outcome');
  const outcome = outcomeRecord ? parseEvidenceData('outcome', outcomeRecord.data) : undefined;
  const detection = records.find((r) => r.type === 'detection' && detectionSourceOf(r) !== undefined);
  const problems = input.integrity.problems.map(formatProblem);
  const signatures = input.integrity.signaturesValid;
  return {
    caseId: input.caseId,
    accountId: first?.accountId ?? '(no records)',
    accountName: records.map(accountNameOf).find((n) => n !== undefined),
    outcome: outcomeRecord
      ? outcome?.ok
        ? { status: outcome.data.status, summary: outcome.data.summary, at: outcomeRecord.at }
        : { status: 'recorded', summary: viewOf(outcomeRecord).summary, at: outcomeRecord.at }
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
    timeline: records.map((r) => ({ '#': String(r.sequence), Time: r.at, Event: r.type, Summary: viewOf(r).summary })),
    decisions: rowsOf(records, 'decision'),
    actions: rowsOf(records, 'action'),
    runbookSteps: rowsOf(records, 'runbook'),
    verifications: rowsOf(records, 'verification'),
    findingUpdates: rowsOf(records, 'finding'),
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

function rowsOf(records: EvidenceRecord[], table: Exclude<keyof RecordView, 'summary'>): Row[] {
  return records.flatMap((r) => {
    const row = viewOf(r)[table];
    return row ? [row] : [];
  });
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
  // Sequence numbers and timestamps are read whole: "10" must never break into "1/0".
  'th.nowrap,td.nowrap{white-space:nowrap;overflow-wrap:normal;width:1%}',
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

/**
 * What one record contributes to the report, read through its type's schema (evidence-data.ts).
 * A record whose data does not fit (written by another version, or by hand) still appears, with
 * the schema's complaint, so that nothing is hidden and nothing is guessed.
 */
interface RecordView {
  summary: string;
  decision?: Row;
  action?: Row;
  runbook?: Row;
  verification?: Row;
  finding?: Row;
}

const viewCache = new WeakMap<EvidenceRecord, RecordView>();

function viewOf(r: EvidenceRecord): RecordView {
  let view = viewCache.get(r);
  if (!view) {
    view = buildView(r);
    viewCache.set(r, view);
  }
  return view;
}

function buildView(r: EvidenceRecord): RecordView {
  switch (r.type) {
    case 'detection':
      return detectionView(r);
    case 'approval-requested': {
      const p = parseEvidenceData(r.type, r.data);
      if (!p.ok) return unparsed(r, p.issues);
      const d = p.data;
      return {
        summary: `approval requested from ${d.requiredApprovals} approver(s) for ${keyList(d.keys)}; removal paths: ${d.removalPaths.join(', ')}`,
      };
    }
    case 'reminder':
    case 'escalation': {
      const p = parseEvidenceData(r.type, r.data);
      if (!p.ok) return unparsed(r, p.issues);
      const d = p.data;
      const waiting = d.waitingFor === 'approval' ? 'the approval' : `runbook step ${d.stepId ?? '(any)'}`;
      return {
        summary: `${r.type === 'escalation' ? 'escalated' : 'reminder'} ${d.reminderNumber} of ${d.maxReminders} while waiting for ${waiting}`,
      };
    }
    case 'decision':
      return decisionView(r);
    case 'action': {
      const p = parseEvidenceData(r.type, r.data);
      if (!p.ok) return unparsed(r, p.issues);
      const d = p.data;
      const row: Row = {
        API: d.api,
        'Request id': d.requestId ?? '(none: not an AWS call)',
        Result: d.outcome,
        Key: d.keyId ?? (d.approvedKeys.join(', ') || '(no key)'),
        Time: d.calledAt ?? r.at,
        Error: errorText(d.error) ?? '',
      };
      return {
        summary: `${d.api} — ${d.outcome}${d.requestId ? ` (request ${d.requestId})` : ''}${row.Error ? `: ${row.Error}` : ''}`,
        action: row,
      };
    }
    case 'runbook-step':
      return runbookView(r);
    case 'verification': {
      const p = parseEvidenceData(r.type, r.data);
      if (!p.ok) return unparsed(r, p.issues);
      const d = p.data;
      const result = d.gone ? 'no root access key present' : 'root access key still present';
      const row: Row = {
        Attempt: `${d.attempt} of ${d.maxAttempts}`,
        'Read at': d.readAt,
        Method: d.method,
        Result: `${result}${!d.gone && d.exhausted ? ' (last attempt)' : ''}`,
        Signals: Object.entries(d.signals)
          .map(([k, v]) => `${k}=${short(v)}`)
          .join('; '),
      };
      return { summary: `verification ${row.Attempt}: ${row.Result} — ${d.reason}`, verification: row };
    }
    case 'finding-update': {
      const p = parseEvidenceData(r.type, r.data);
      if (!p.ok) return unparsed(r, p.issues);
      const d = p.data;
      const row: Row = d.updated
        ? { Status: d.status, Updated: 'yes', Finding: d.findingId, Note: d.note, Time: r.at }
        : { Status: d.status, Updated: 'no (no finding)', Finding: '(none)', Note: d.reason, Time: r.at };
      return {
        summary: d.updated ? `finding set to ${d.status}` : `finding not updated (${d.status}): ${d.reason}`,
        finding: row,
      };
    }
    case 'outcome': {
      const p = parseEvidenceData(r.type, r.data);
      if (!p.ok) return unparsed(r, p.issues);
      const d = p.data;
      const error = errorText(d.error);
      return { summary: `${d.status}: ${d.summary}${error && !d.summary.includes(error) ? ` — ${error}` : ''}` };
    }
    case 'guardrail': {
      const p = parseEvidenceData(r.type, r.data);
      if (!p.ok) return unparsed(r, p.issues);
      const d = p.data;
      const who = d.approvers?.map((a) => a.userName ?? a.userId).join(', ');
      const what = d.changes?.length ? d.changes.join('; ') : d.actions?.join('; ');
      const error = errorText(d.error);
      return {
        summary: `prevent recurrence: ${d.event}${who ? ` by ${who}` : ''}${what ? ` — ${what}` : ''}${error ? ` — ${error}` : ''}`,
      };
    }
    default:
      return unparsed(r, [`no schema for the event type ${String((r as { type: unknown }).type)}`]);
  }
}

function unparsed(r: EvidenceRecord, issues: string[]): RecordView {
  return {
    summary: `${r.type} record whose data does not match the current ${r.type} schema (${issues.join('; ')}); its data is shown under Record details`,
  };
}

function detectionView(r: EvidenceRecord): RecordView {
  const p = parseEvidenceData('detection', r.data);
  if (!p.ok) return unparsed(r, p.issues);
  const d = p.data;
  if ('duplicateTrigger' in d)
    return { summary: `${d.duplicateTrigger.source} trigger while the case was open: ${d.note}` };
  if ('trigger' in d) {
    const found = d.posture.keys.length ? `found ${keyList(d.posture.keys)}` : 'no root access key';
    return {
      summary: `${d.trigger.source} trigger; ${found} (${d.posture.status}, read by ${d.posture.method}): ${d.posture.reason}`,
    };
  }
  return {
    summary: `${d.reason} Approved: ${d.approvedKeys.join(', ') || '(none)'}; present now: ${d.currentKeys.join(', ') || '(none)'}; next: ${d.next === 'approval' ? 'a new approval' : 'verification'}`,
  };
}

function decisionView(r: EvidenceRecord): RecordView {
  const p = parseEvidenceData('decision', r.data);
  if (!p.ok) return unparsed(r, p.issues);
  const d = p.data;
  if ('vote' in d) {
    const v = d.vote;
    const who = person(v.userName, v.userId);
    const counted = `${d.votes} of ${d.requiredApprovals} vote(s)`;
    const row: Row = {
      Event: d.event === 'decided' ? 'vote (decides)' : 'vote',
      Who: who,
      Action: v.action,
      When: v.at,
      Reason: v.reason ?? '',
      'Risk accepted until': v.expiresAt ?? '',
    };
    return {
      summary: `${who} voted ${v.action}${v.reason ? ` (${v.reason})` : ''}; ${counted}${d.event === 'decided' ? ', decided' : ''}`,
      decision: row,
    };
  }
  const decision = 'applied' in d ? d : d.decision;
  const who = decision.approvers.map((a) => person(a.userName, a.userId)).join(', ') || '(no approver)';
  const row: Row = {
    Event: 'applied' in d ? 'decision applied' : 'decision not delivered',
    Who: who,
    Action: decision.action,
    When: decision.decidedAt,
    Reason: decision.reason ?? '',
    'Risk accepted until': decision.expiresAt ?? '',
  };
  const summary =
    'applied' in d
      ? `decision ${decision.action} by ${who} applied${decision.reason ? ` (${decision.reason})` : ''}${d.recheckAt ? `; re-check ${d.recheckAt}` : ''}`
      : `decision ${decision.action} by ${who} could not be delivered to the workflow (${errorText(d.error) ?? 'no error text'}); the approvers may click again`;
  return { summary, decision: row };
}

function runbookView(r: EvidenceRecord): RecordView {
  const p = parseEvidenceData('runbook-step', r.data);
  if (!p.ok) return unparsed(r, p.issues);
  const d = p.data;
  if ('started' in d) {
    return {
      summary: `runbook (${d.variant}) started: ${d.reason}; ${d.steps.length} step(s)`,
      runbook: {
        Step: 'start',
        Title: `${d.variant}: ${d.steps.map((s) => s.title).join('; ')}`,
        By: 'rootkey (workflow)',
        Time: r.at,
      },
    };
  }
  const by = person(d.by.userName, d.by.userId);
  if ('verifyNow' in d) {
    return {
      summary: `${by} asked to verify now`,
      runbook: { Step: 'verify now', Title: 'Verification requested before the last step', By: by, Time: d.at },
    };
  }
  return {
    summary: `step ${d.stepId} "${d.title}" confirmed by ${by}`,
    runbook: { Step: d.stepId, Title: d.title, By: by, Time: d.at },
  };
}

function keyList(keys: { maskedId: string; status: string }[]): string {
  return keys.length ? keys.map((k) => `${k.maskedId} (${k.status})`).join(', ') : 'no key';
}

function accountNameOf(r: EvidenceRecord): string | undefined {
  if (r.type !== 'detection') return undefined;
  const p = parseEvidenceData('detection', r.data);
  if (!p.ok) return undefined;
  return 'posture' in p.data ? p.data.posture.account.name : undefined;
}

function detectionSourceOf(r: EvidenceRecord): string | undefined {
  const p = parseEvidenceData('detection', r.data);
  if (!p.ok || !('trigger' in p.data)) return undefined;
  const t = p.data.trigger;
  return `${t.source}${t.requestedBy ? ` (requested by ${t.requestedBy})` : ''}, ${t.detectedAt}`;
}

function maskedKeysOf(r: EvidenceRecord): string[] {
  const p = parseEvidenceData('detection', r.data);
  if (!p.ok || !('posture' in p.data)) return [];
  return p.data.posture.keys.map((k) => `${k.maskedId} (${k.status})`);
}

function person(name: string | undefined, id: string): string {
  return name ? `${name} (${id})` : id;
}

function errorText(e: string | { name: string; message: string } | undefined): string | undefined {
  if (e === undefined) return undefined;
  return typeof e === 'string' ? e : `${e.name}: ${e.message}`;
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

/** Columns whose cells never wrap: positions and times. */
const NOWRAP_COLUMNS = new Set(['#', 'Account #', 'Time', 'When', 'Read at', 'Recorded', 'Attempt']);

function htmlTable(rows: Row[]): string {
  const columns = Object.keys(rows[0]);
  const cls = (c: string) => (NOWRAP_COLUMNS.has(c) ? ' class="nowrap"' : '');
  const head = `<tr>${columns.map((c) => `<th${cls(c)}>${html(c)}</th>`).join('')}</tr>`;
  const body = rows
    .map((r) => `<tr>${columns.map((c) => `<td${cls(c)}>${html(r[c] ?? '')}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}
