import { InvalidInputError } from '../../../functions/core/errors';
import { parseButtonClick, parseCommand, parseExceptionSubmission, stepIdOf } from '../../../slack-app/payloads';

const CASE_ID = 'RK-111122223333-20260601110000-ab12';

function click(value: string, blockId = 'rootkey.decision-actions') {
  return {
    user: { id: 'U0ALICE', username: 'alice' },
    trigger_id: 't',
    container: { channel_id: 'C0SECURITY', message_ts: '1.2' },
    actions: [{ action_id: 'a', block_id: blockId, value }],
  };
}

describe('Slack payloads at the edge', () => {
  it('reads a button click', () => {
    expect(parseButtonClick(click(CASE_ID))).toEqual({
      caseId: CASE_ID,
      userId: 'U0ALICE',
      userName: 'alice',
      triggerId: 't',
      blockId: 'rootkey.decision-actions',
      message: { channel: 'C0SECURITY', ts: '1.2' },
    });
  });

  it('refuses a button whose value is not a case id', () => {
    expect(() => parseButtonClick(click('arn:aws:states:...:token'))).toThrow(InvalidInputError);
  });

  it('takes the runbook step from the block id', () => {
    expect(stepIdOf(parseButtonClick(click(CASE_ID, 'rootkey.runbook-step:delete-keys')))).toBe('delete-keys');
    expect(() => stepIdOf(parseButtonClick(click(CASE_ID)))).toThrow('does not name a runbook step');
  });

  it('reads the exception modal and refuses metadata it did not write', () => {
    const view = (metadata: string) => ({
      user: { id: 'U0BOB', name: 'bob' },
      view: {
        private_metadata: metadata,
        state: {
          values: {
            'rootkey.exception.reason': { reason: { type: 'plain_text_input', value: 'why' } },
            'rootkey.exception.expiry': { expiry: { type: 'datepicker', selected_date: '2026-07-01' } },
          },
        },
      },
    });
    expect(parseExceptionSubmission(view(JSON.stringify({ caseId: CASE_ID, action: 'reject' })))).toEqual({
      metadata: { caseId: CASE_ID, action: 'reject' },
      userId: 'U0BOB',
      userName: 'bob',
      reason: 'why',
      date: '2026-07-01',
    });
    expect(() => parseExceptionSubmission(view(JSON.stringify({ caseId: CASE_ID, action: 'delete' })))).toThrow(
      InvalidInputError,
    );
    expect(() => parseExceptionSubmission(view('{not json'))).toThrow('not JSON');
  });

  it('splits a slash command into words', () => {
    expect(parseCommand({ user_id: 'U0ALICE', command: '/rootkey', text: '  scan   111122223333 ' })).toMatchObject({
      userId: 'U0ALICE',
      words: ['scan', '111122223333'],
    });
  });
});
