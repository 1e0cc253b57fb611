/**
 * The AWS Management Console page of an S3 object, for people to click in Slack:
 * `https://console.aws.amazon.com/s3/object/BUCKET?region=REGION&prefix=KEY` (the console's own
 * "object overview" address; the same form the console puts in the address bar, e.g.
 * https://s3.console.aws.amazon.com/s3/object/BUCKET?region=us-east-1&prefix=KEY). The person
 * signs in with their own identity and needs s3:GetObject (and kms:Decrypt) on the evidence bucket
 * to open it, exactly as for any other evidence object.
 *
 * A console link rather than a pre-signed URL, on purpose: a pre-signed URL carries the signer's
 * credentials, expires (at most 7 days, and sooner when signed with a Lambda role's session
 * credentials:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html,
 * https://repost.aws/knowledge-center/presigned-url-s3-bucket-expiration)
 * and hands the report to anyone who sees the message. A report link in a long-lived Slack
 * channel must still work in an audit a year later and must not grant access by itself.
 *
 * Returns undefined for a location that is not `s3://bucket/key` (the caller shows it as text).
 */
export function s3ConsoleUrl(location: string, region: string | undefined): string | undefined {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+)$/.exec(location);
  if (!match || !region || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) return undefined;
  const [, bucket, key] = match;
  return `${consoleOrigin(region)}/s3/object/${bucket}?region=${region}&prefix=${encodeURIComponent(key!)}`;
}

/**
 * The console's origin by partition: China and GovCloud have their own consoles
 * (https://docs.aws.amazon.com/general/latest/gr/rande.html, "Regions and endpoints").
 */
function consoleOrigin(region: string): string {
  if (region.startsWith('cn-')) return 'https://console.amazonaws.cn';
  if (region.startsWith('us-gov-')) return 'https://console.amazonaws-us-gov.com';
  return 'https://console.aws.amazon.com';
}
