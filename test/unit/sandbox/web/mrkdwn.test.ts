import { parseMrkdwn, type Names } from '../../../../sandbox/web/mrkdwn.js';

/** The sandbox page's mrkdwn rules, as data: what the Slack stand-in shows for what the app posts. */

const names: Names = {
  userName: (id) => ({ U0ALICE: 'alice' })[id] ?? id,
  groupHandle: (id) => ({ S0SECURITY: 'security-approvers' })[id] ?? id,
};
const parse = (text: unknown) => parseMrkdwn(text, names);

describe('the sandbox page reads mrkdwn as Slack does', () => {
  it('shows escaped markup as text, never as markup', () => {
    expect(parse('&lt;img src=x onerror=alert(1)&gt; &amp; more')).toEqual([
      { kind: 'text', text: '<img src=x onerror=alert(1)> & more' },
    ]);
  });

  it('links only http(s) and site-relative targets, unescaping the URL', () => {
    expect(parse('<https://console.aws.amazon.com/iam?a=1&amp;b=2|the console>')).toEqual([
      { kind: 'link', href: 'https://console.aws.amazon.com/iam?a=1&b=2', text: 'the console' },
    ]);
    expect(parse('</evidence/reports/c-1.html>')).toEqual([
      { kind: 'link', href: '/evidence/reports/c-1.html', text: '/evidence/reports/c-1.html' },
    ]);
    expect(parse('<javascript:alert(1)|click>')).toEqual([{ kind: 'text', text: '<javascript:alert(1)|click>' }]);
  });

  it('names users and groups in mentions the way Slack shows them', () => {
    expect(parse('<@U0ALICE> <!subteam^S0SECURITY> <!subteam^S0OTHER|@ops> <!here> <@U0NOBODY>')).toEqual([
      { kind: 'mention', text: '@alice' },
      { kind: 'text', text: ' ' },
      { kind: 'mention', text: '@security-approvers' },
      { kind: 'text', text: ' ' },
      { kind: 'mention', text: '@ops' },
      { kind: 'text', text: ' ' },
      { kind: 'mention', text: '@here' },
      { kind: 'text', text: ' ' },
      { kind: 'mention', text: '@U0NOBODY' },
    ]);
  });

  it("shows a date token in the reader's time, and its fallback when the token is unreadable", () => {
    const [shown] = parse('<!date^1795880403^{date_short_pretty} {time}|2026-11-28 14:20 UTC>');
    expect(shown).toMatchObject({ kind: 'time' });
    expect((shown as { text: string }).text).toContain('2026');
    expect((shown as { text: string }).text).not.toContain('date_short_pretty');
    expect(parse('<!date^soon^{date}|in a while &amp; then>')).toEqual([{ kind: 'time', text: 'in a while & then' }]);
  });

  it('renders code, bold (with emoji), italic and strike, and leaves unknown emoji as written', () => {
    expect(parse('`AKIA…&lt;1&gt;` *:key: Root key* _masked_ ~old~ :no_such_emoji: :warning:')).toEqual([
      { kind: 'code', text: 'AKIA…<1>' },
      { kind: 'text', text: ' ' },
      { kind: 'bold', text: '🔑 Root key' },
      { kind: 'text', text: ' ' },
      { kind: 'italic', text: 'masked' },
      { kind: 'text', text: ' ' },
      { kind: 'strike', text: 'old' },
      { kind: 'text', text: ' ' },
      { kind: 'text', text: ':no_such_emoji:' },
      { kind: 'text', text: ' ' },
      { kind: 'text', text: '⚠️' },
    ]);
  });

  it('keeps line breaks, quotes `> ` lines and keeps code blocks verbatim', () => {
    expect(parse('first\n&gt; quoted *bold*\n```\nAKIA &lt;x&gt;\n*not bold*```last')).toEqual([
      { kind: 'text', text: 'first' },
      { kind: 'br' },
      {
        kind: 'quote',
        children: [
          { kind: 'text', text: 'quoted ' },
          { kind: 'bold', text: 'bold' },
        ],
      },
      { kind: 'br' },
      { kind: 'pre', text: 'AKIA <x>\n*not bold*' },
      { kind: 'text', text: 'last' },
    ]);
  });

  it('shows nothing for an empty or missing text', () => {
    expect(parse('')).toEqual([]);
    expect(parse(undefined)).toEqual([]);
  });
});
