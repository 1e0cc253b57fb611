import { WebClient } from '@slack/web-api';
import { isTransientSlackError, SlackNotifier } from '../../../../functions/adapters/slack/slack-notifier';
import { SlackUnavailableError } from '../../../../functions/core/errors';
import { awaitingCase } from '../../../support/slack/case-fixture';

/** Errors shaped the way @slack/web-api throws them (read by `code`, as the notifier does). */
const platform = (error: string) =>
  Object.assign(new Error(`An API error occurred: ${error}`), {
    code: 'slack_webapi_platform_error',
    data: { ok: false, error },
  });
const http = (statusCode: number) =>
  Object.assign(new Error(`An HTTP protocol error occurred: statusCode = ${statusCode}`), {
    code: 'slack_webapi_http_error',
    statusCode,
  });

describe('Slack errors the workflow retries', () => {
  it.each([
    ['a network error or client timeout', Object.assign(new Error('timeout'), { code: 'slack_webapi_request_error' })],
    [
      'a rejected rate-limited call',
      Object.assign(new Error('ratelimited'), { code: 'slack_webapi_rate_limited_error' }),
    ],
    ['HTTP 500', http(500)],
    ['HTTP 503', http(503)],
    ['HTTP 429', http(429)],
    ['ratelimited', platform('ratelimited')],
    ['internal_error', platform('internal_error')],
    ['service_unavailable', platform('service_unavailable')],
  ])('treats %s as transient', (_name, error) => {
    expect(isTransientSlackError(error)).toBe(true);
  });

  it.each([
    ['invalid_auth', platform('invalid_auth')],
    ['channel_not_found', platform('channel_not_found')],
    ['HTTP 400', http(400)],
    ['a plain Error', new Error('boom')],
    ['undefined', undefined],
  ])('leaves %s to the failure path', (_name, error) => {
    expect(isTransientSlackError(error)).toBe(false);
  });

  it('turns a transient failure of a post into SlackUnavailableError and passes others through', async () => {
    // Prepare
    const client = new WebClient('xoxb-test');
    const post = jest.spyOn(client.chat, 'postMessage');
    const notifier = new SlackNotifier({ client, channel: 'C0TEST' });
    post.mockRejectedValueOnce(http(502));
    post.mockRejectedValueOnce(platform('not_in_channel'));
    // Act
    const first = await notifier.requestApproval(awaitingCase()).catch((e: unknown) => e);
    const second = await notifier.requestApproval(awaitingCase()).catch((e: unknown) => e);
    // Assess
    expect(first).toBeInstanceOf(SlackUnavailableError);
    expect((first as Error).name).toBe('SlackUnavailableError');
    expect((first as Error).message).toMatch(/chat\.postMessage failed and may succeed later/);
    expect(second).not.toBeInstanceOf(SlackUnavailableError);
    expect((second as { code?: string }).code).toBe('slack_webapi_platform_error');
  });
});
