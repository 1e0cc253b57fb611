/** What the dashboard shows of a case (no token, nothing that could decide it). */
export interface DashboardCase {
  caseId: string;
  accountId: string;
  accountName: string;
  status: string;
  openedAt: string;
  closedAt?: string;
  trigger: string;
  decision?: string;
  outcome?: string;
  /** States the case's execution went through in this process (empty after a restart until it moves). */
  path: string[];
  reportUrl?: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attributes (account names come from AWS, not from us). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

/**
 * The read-only case dashboard of `rootkey serve` (`GET /`): one server-rendered page without
 * scripts or forms — decisions happen in Slack only — refreshing itself every 15 seconds.
 */
export function renderDashboard(cases: DashboardCase[], now: Date): string {
  const open = cases.filter((c) => !c.closedAt).length;
  const rows = cases
    .map((c) => {
      const report = c.reportUrl ? `<a href="${escapeHtml(c.reportUrl)}">report</a>` : '—';
      return `<tr>
  <td><a href="/api/cases/${encodeURIComponent(c.caseId)}"><code>${escapeHtml(c.caseId)}</code></a></td>
  <td>${escapeHtml(c.accountName)}<br><code>${escapeHtml(c.accountId)}</code></td>
  <td class="status s-${escapeHtml(c.status)}">${escapeHtml(c.status)}</td>
  <td>${escapeHtml(c.trigger)}</td>
  <td>${escapeHtml(c.decision ?? '—')}</td>
  <td>${escapeHtml(c.outcome ?? '')}</td>
  <td class="path">${c.path.length ? escapeHtml(c.path.join(' → ')) : '—'}</td>
  <td>${escapeHtml(c.openedAt)}${c.closedAt ? `<br>closed ${escapeHtml(c.closedAt)}` : ''}</td>
  <td>${report}</td>
</tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="15">
<title>rootkey serve — cases</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #1d1c1d; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .4rem .6rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
.path { font-size: 12px; color: #555; max-width: 28rem; }
.s-remediated, .s-compliant { color: #0a7d32; }
.s-failed, .s-expired { color: #b00020; }
.s-awaiting-approval, .s-runbook, .s-deleting, .s-verifying { color: #8a5a00; }
</style>
</head>
<body>
<h1>rootkey serve</h1>
<p>${cases.length} case(s), ${open} open — ${escapeHtml(now.toISOString())}. Read-only: decisions are made in Slack.
JSON: <a href="/api/cases">/api/cases</a>.</p>
<table>
<thead><tr><th>Case</th><th>Account</th><th>Status</th><th>Trigger</th><th>Decision</th><th>Outcome</th><th>Path taken</th><th>Opened</th><th>Evidence</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="9">No cases yet: the sweep opens one per account with a root access key.</td></tr>'}
</tbody>
</table>
</body>
</html>
`;
}
