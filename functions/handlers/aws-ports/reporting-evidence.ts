import type { EvidenceRecorderPort } from '../../ports/evidence-recorder';
import { CASE_REPORTS } from '../../services/evidence-service';
import type { Env } from '../workflow-env';
import { awsEvidence } from './evidence';

/** The evidence of the tasks that write the case's reports (the outcome and the failure). */
export function awsReportingEvidence(env: Env): EvidenceRecorderPort {
  return awsEvidence(env, CASE_REPORTS);
}
