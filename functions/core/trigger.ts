/** What started a case, normalized from whichever event arrived. */
export type TriggerSource = 'security-hub' | 'cloudtrail' | 'schedule' | 'sweep' | 'manual' | 'acceptance-expired';

export interface Trigger {
  source: TriggerSource;
  accountId: string;
  /** When the source says the problem was seen (finding UpdatedAt, CloudTrail eventTime, schedule time). */
  detectedAt: string;
  /** Security Hub finding id (ARN) and product ARN, needed to update the finding later. */
  finding?: { id: string; productArn: string; region?: string };
  /** CloudTrail event id or EventBridge event id. */
  eventId?: string;
  /** Who asked, for manual starts (Slack user id or CLI user). */
  requestedBy?: string;
  /**
   * What the organization sweep already knew when it listed the account: its name, whether it is
   * the management account, and the organization's root access features (read once per sweep).
   * Detection uses them instead of asking Organizations and IAM again for every account. A wrong
   * hint cannot remove anything: a management account or features that are really off make
   * AssumeRoot fail, which falls back to the runbook.
   */
  known?: SweepKnowledge;
}

/** See {@link Trigger.known}. */
export interface SweepKnowledge {
  account: { name: string; isManagement: boolean };
  features: { rootCredentialsManagement: boolean; rootSessions: boolean };
}
