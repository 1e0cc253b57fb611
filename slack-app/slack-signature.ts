import { createHmac } from 'node:crypto';

/**
 * Slack's v0 request signature: `v0=` + HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing
 * secret (https://docs.slack.dev/authentication/verifying-requests-from-slack).
 */
export function slackSignature(signingSecret: string, timestamp: number | string, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}
