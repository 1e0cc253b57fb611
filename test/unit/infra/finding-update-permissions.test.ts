import type { Template } from 'aws-cdk-lib/assertions';
import { FIELDS_ROOTKEY_NEVER_SETS } from '../../../infra/constructs/finding-grants';
import { actionsOf, statementsOfTask, synthesizeApp, type TemplateJson } from '../../support/infra/synth';

/**
 * securityhub:BatchUpdateFindings as synthesized: each task may set only the workflow statuses it
 * sets, with a rootkey note, and no other field. The test evaluates each role's statements against
 * BatchUpdateFindings requests the way IAM evaluates `securityhub:ASFFSyntaxPath/<field>` keys (a
 * key is present when the request sets that field; StringEquals needs it present and equal, Null
 * "true" needs it absent; conditions are ANDed).
 */
let template: Template;

beforeAll(() => {
  template = synthesizeApp().centralTemplate;
}, 240_000);

type Request = Record<string, string>;
const PREFIX = 'securityhub:ASFFSyntaxPath/';

/** The request context keys of a BatchUpdateFindings call: one per ASFF field it sets. */
function contextOf(request: Request): Record<string, string> {
  return Object.fromEntries(Object.entries(request).map(([field, value]) => [`${PREFIX}${field}`, value]));
}

function conditionHolds(
  condition: Record<string, Record<string, TemplateJson>> | undefined,
  context: Record<string, string>,
): boolean {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    for (const [key, expected] of Object.entries(keys)) {
      const actual = context[key];
      const values = (Array.isArray(expected) ? expected : [expected]).map(String);
      if (operator === 'StringEquals') {
        if (actual === undefined || !values.includes(actual)) return false;
      } else if (operator === 'Null') {
        if ((actual === undefined) !== (values[0] === 'true')) return false;
      } else {
        throw new Error(`The test does not evaluate ${operator}; extend it before using that operator`);
      }
    }
  }
  return true;
}

/** Whether the task's role allows the BatchUpdateFindings request (no Deny statements exist on these roles). */
function allows(task: string, request: Request): boolean {
  const statements = statementsOfTask(template, task).filter((s) =>
    actionsOf([s]).includes('securityhub:BatchUpdateFindings'),
  );
  expect(statements.every((s) => s['Effect'] === 'Allow')).toBe(true);
  return statements.some((s) => conditionHolds(s['Condition'], contextOf(request)));
}

const note = { 'Note.Text': 'rootkey: case RK-1', 'Note.UpdatedBy': 'rootkey' };

describe('BatchUpdateFindings permissions', () => {
  it('let the approval task set NOTIFIED with a rootkey note, and nothing else', () => {
    expect(allows('request-approval', { 'Workflow.Status': 'NOTIFIED', ...note })).toBe(true);
    expect(allows('request-approval', { 'Workflow.Status': 'RESOLVED', ...note })).toBe(false);
    expect(allows('request-approval', { 'Workflow.Status': 'SUPPRESSED', ...note })).toBe(false);
  });

  it('let the update-finding task set RESOLVED or SUPPRESSED with a rootkey note, never NEW or NOTIFIED', () => {
    expect(allows('update-finding', { 'Workflow.Status': 'RESOLVED', ...note })).toBe(true);
    expect(allows('update-finding', { 'Workflow.Status': 'SUPPRESSED', ...note })).toBe(true);
    expect(allows('update-finding', { 'Workflow.Status': 'NEW', ...note })).toBe(false);
    expect(allows('update-finding', { 'Workflow.Status': 'NOTIFIED', ...note })).toBe(false);
  });

  it('refuse a request that does not set the workflow status or writes the note as somebody else', () => {
    expect(allows('update-finding', note)).toBe(false);
    expect(
      allows('update-finding', { 'Workflow.Status': 'RESOLVED', 'Note.Text': 'x', 'Note.UpdatedBy': 'alice' }),
    ).toBe(false);
  });

  it.each(FIELDS_ROOTKEY_NEVER_SETS)('refuse a request that also sets %s', (field) => {
    expect(allows('update-finding', { 'Workflow.Status': 'RESOLVED', ...note, [field]: 'LOW' })).toBe(false);
    expect(allows('request-approval', { 'Workflow.Status': 'NOTIFIED', ...note, [field]: 'LOW' })).toBe(false);
  });

  it('give no other task BatchUpdateFindings', () => {
    const functions = template.findResources('AWS::Lambda::Function') as Record<string, { Properties: TemplateJson }>;
    const tasks = Object.values(functions)
      .map((f) => f.Properties?.Environment?.Variables?.ROOTKEY_TASK as string | undefined)
      .filter((t): t is string => t !== undefined);
    const updaters = tasks.filter((task) =>
      actionsOf(statementsOfTask(template, task)).includes('securityhub:BatchUpdateFindings'),
    );
    expect(updaters.sort()).toEqual(['request-approval', 'update-finding']);
  });
});
