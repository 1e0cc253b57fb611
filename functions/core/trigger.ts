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
}
