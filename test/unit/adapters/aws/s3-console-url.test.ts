import { s3ConsoleUrl } from '../../../../functions/adapters/aws/s3-console-url';

describe('s3ConsoleUrl', () => {
  it("links a report object to its page in the S3 console of the bucket's Region", () => {
    const url = s3ConsoleUrl('s3://rootkey-evidence-222222222222/reports/RK-123456789012-1.html', 'eu-west-1');

    expect(url).toBe(
      'https://console.aws.amazon.com/s3/object/rootkey-evidence-222222222222?region=eu-west-1&prefix=reports%2FRK-123456789012-1.html',
    );
  });

  it('encodes the key so that a prefix with spaces, & or # cannot break or extend the query', () => {
    const url = new URL(s3ConsoleUrl('s3://evidence/a b/c&d#e.html', 'us-east-1')!);

    expect(url.pathname).toBe('/s3/object/evidence');
    expect(url.searchParams.get('prefix')).toBe('a b/c&d#e.html');
    expect(url.searchParams.get('region')).toBe('us-east-1');
    expect(url.hash).toBe('');
  });

  it.each([
    ['cn-north-1', 'https://console.amazonaws.cn/s3/object/'],
    ['us-gov-west-1', 'https://console.amazonaws-us-gov.com/s3/object/'],
  ])('uses the console of the partition of %s', (region, origin) => {
    expect(s3ConsoleUrl('s3://evidence/reports/RK.html', region)).toMatch(
      new RegExp(`^${origin.replace(/\./g, '\\.')}`),
    );
  });

  it.each([
    ['a file path', '/data/evidence/reports/RK.html', 'eu-west-1'],
    ['a bucket without a key', 's3://evidence/', 'eu-west-1'],
    ['an unknown Region', 's3://evidence/reports/RK.html', undefined],
    ['a Region that is not one', 's3://evidence/reports/RK.html', 'eu-west-1&x=y'],
  ])('gives no link for %s', (_what, location, region) => {
    expect(s3ConsoleUrl(location, region)).toBeUndefined();
  });
});
