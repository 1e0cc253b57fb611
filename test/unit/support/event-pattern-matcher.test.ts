import { matchesEventPattern as matches } from '../../support/events/event-pattern-matcher';

/**
 * The matcher against the examples of the EventBridge User Guide ("Event pattern syntax",
 * "Arrays in event patterns", "Comparison operators"), so that the trigger tests that rely on it
 * evaluate patterns the way EventBridge does.
 */
const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: {
    'instance-id': 'i-1234567890abcdef0',
    state: 'terminated',
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.123',
  },
};

describe('event pattern syntax', () => {
  it('matches the named fields with the same nesting and ignores the others', () => {
    const pattern = {
      source: ['aws.ec2'],
      'detail-type': ['EC2 Instance State-change Notification'],
      detail: { state: ['terminated'] },
    };
    expect(matches(pattern, ec2Event)).toBe(true);
    expect(matches({ ...pattern, detail: { state: ['running'] } }, ec2Event)).toBe(false);
    expect(matches({ source: ['aws.ec2', 'aws.fargate'] }, ec2Event)).toBe(true);
  });

  it('needs every field the pattern names, nested where the pattern nests it', () => {
    expect(matches({ detail: { missing: ['x'] } }, ec2Event)).toBe(false);
    expect(matches({ state: ['terminated'] }, ec2Event)).toBe(false);
  });

  it('is case-sensitive and type-exact', () => {
    expect(matches({ detail: { state: ['Terminated'] } }, ec2Event)).toBe(false);
    expect(matches({ detail: { 'c-count': ['5'] } }, ec2Event)).toBe(false);
    expect(matches({ detail: { 'c-count': [5] } }, ec2Event)).toBe(true);
  });

  it('matches null and empty strings as values', () => {
    const event = { detail: { responseElements: null, LastName: '' } };
    expect(matches({ detail: { responseElements: [null] } }, event)).toBe(true);
    expect(matches({ detail: { LastName: [''] } }, event)).toBe(true);
    expect(matches({ detail: { LastName: [null] } }, event)).toBe(false);
  });
});

describe('arrays', () => {
  const pattern = {
    resources: [
      'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
      'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
    ],
  };
  it('matches when the pattern array and the event array intersect', () => {
    const event = {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    };
    expect(matches(pattern, event)).toBe(true);
    expect(matches(pattern, { resources: [event.resources[0]] })).toBe(false);
  });

  it('reaches into arrays of objects (each finding of a Security Hub event)', () => {
    const event = { detail: { findings: [{ Workflow: { Status: 'NEW' } }, { Workflow: { Status: 'NOTIFIED' } }] } };
    expect(matches({ detail: { findings: { Workflow: { Status: ['NOTIFIED'] } } } }, event)).toBe(true);
    expect(matches({ detail: { findings: { Workflow: { Status: ['RESOLVED'] } } } }, event)).toBe(false);
  });
});

describe('comparison operators', () => {
  it('prefix, also ignoring case', () => {
    expect(matches({ time: [{ prefix: '2017-12-22' }] }, ec2Event)).toBe(true);
    expect(matches({ time: [{ prefix: '2017-10-02' }] }, ec2Event)).toBe(false);
    expect(
      matches(
        { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } },
        { detail: { service: 'eventbridge' } },
      ),
    ).toBe(true);
  });

  it('suffix, also ignoring case', () => {
    expect(matches({ FileName: [{ suffix: '.png' }] }, { FileName: 'image.png' })).toBe(true);
    expect(matches({ FileName: [{ suffix: '.png' }] }, { FileName: 'image.PNG' })).toBe(false);
    expect(matches({ FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] }, { FileName: 'image.PNG' })).toBe(true);
  });

  it('equals-ignore-case', () => {
    expect(matches({ Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'Alice' })).toBe(true);
    expect(matches({ Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'Alicia' })).toBe(false);
  });

  it('anything-but a value, a list, a prefix, a suffix, ignoring case and a wildcard', () => {
    expect(matches({ detail: { state: [{ 'anything-but': 'initializing' }] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': 'terminated' }] } }, ec2Event)).toBe(false);
    expect(matches({ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { state: [{ 'anything-but': ['stopped', 'terminated'] }] } }, ec2Event)).toBe(false);
    expect(matches({ detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, ec2Event)).toBe(true);
    expect(matches({ Region: [{ 'anything-but': { prefix: 'us-' } }] }, { Region: 'eu-west-1' })).toBe(true);
    expect(matches({ Region: [{ 'anything-but': { prefix: 'us-' } }] }, { Region: 'us-east-1' })).toBe(false);
    expect(matches({ FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.png' })).toBe(false);
    expect(
      matches({ state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] }, { state: 'INITIALIZING' }),
    ).toBe(false);
    expect(matches({ FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { FilePath: '/usr/lib/x' })).toBe(
      false,
    );
    expect(matches({ FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { FilePath: '/usr/bin/x' })).toBe(true);
  });

  it('anything-but needs the field to be present', () => {
    expect(matches({ detail: { missing: [{ 'anything-but': 'x' }] } }, ec2Event)).toBe(false);
  });

  it('numeric ranges and equality', () => {
    const pattern = {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 301.8] }],
      },
    };
    expect(matches(pattern, ec2Event)).toBe(true);
    expect(matches({ detail: { 'c-count': [{ numeric: ['>', 5] }] } }, ec2Event)).toBe(false);
    expect(matches({ detail: { state: [{ numeric: ['>', 0] }] } }, ec2Event)).toBe(false);
  });

  it('cidr (IPv4)', () => {
    expect(matches({ detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }, ec2Event)).toBe(false);
  });

  it('exists: true for present leaves, false for missing ones, never for an intermediate node', () => {
    expect(matches({ detail: { state: [{ exists: true }] } }, ec2Event)).toBe(true);
    expect(matches({ detail: { state: [{ exists: false }] } }, ec2Event)).toBe(false);
    expect(matches({ detail: { 'no-such-field': [{ exists: false }] } }, ec2Event)).toBe(true);
    expect(matches({ detail: [{ exists: true }] }, ec2Event)).toBe(false);
  });

  it('wildcard with * and an escaped \\*', () => {
    expect(
      matches(
        { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
        { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' },
      ),
    ).toBe(true);
    expect(
      matches(
        { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] },
        { EventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/default' },
      ),
    ).toBe(false);
    expect(matches({ name: [{ wildcard: 'a\\*b' }] }, { name: 'a*b' })).toBe(true);
    expect(matches({ name: [{ wildcard: 'a\\*b' }] }, { name: 'axb' })).toBe(false);
  });

  it('$or: any alternative, combined with the other fields', () => {
    const pattern = {
      source: ['aws.ec2'],
      detail: {
        $or: [
          { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] },
          { 'd-count': [{ numeric: ['<', 10] }] },
          { 'x-limit': [{ numeric: ['=', 3.018e2] }] },
        ],
      },
    };
    expect(matches(pattern, ec2Event)).toBe(true);
    expect(matches({ ...pattern, source: ['aws.s3'] }, ec2Event)).toBe(false);
    const none = { detail: { $or: [{ 'c-count': [{ numeric: ['>', 10] }] }, { state: ['running'] }] } };
    expect(matches(none, ec2Event)).toBe(false);
  });

  it('refuses operators it does not know instead of guessing', () => {
    expect(() => matches({ detail: { state: [{ 'starts-with': 'x' }] } }, ec2Event)).toThrow(
      /Unknown pattern operator/,
    );
  });
});
