import { renderCaseReportHtml, renderCaseReportMarkdown } from '../core/evidence/case-report';
import { EvidenceServiceBase, type CaseReportRenderers, type EvidenceServiceOptions } from './evidence-service-base';

export { EvidenceServiceBase } from './evidence-service-base';
export type { CaseReportRenderers, EvidenceServiceOptions } from './evidence-service-base';

/** The case report renderers of core/evidence/case-report.ts (Markdown and HTML). */
export const CASE_REPORTS: CaseReportRenderers = { markdown: renderCaseReportMarkdown, html: renderCaseReportHtml };

/**
 * The evidence service that also writes case reports. The Lambda functions that never write a
 * report build {@link EvidenceServiceBase} instead, so their bundles do not carry the renderers.
 */
export class EvidenceService extends EvidenceServiceBase {
  constructor(options: EvidenceServiceOptions) {
    super({ reports: CASE_REPORTS, ...options });
  }
}
