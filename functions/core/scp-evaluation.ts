/**
 * Evaluates service control policy (SCP) statements for one question only: would the root user of
 * a member account be able to call `iam:CreateAccessKey` for itself? Pure: no SDK, no I/O.
 *
 * Policies are judged by what their statements say, never by their names: a Control Tower
 * "Disallow Creation of Access Keys for the Root User" SCP, rootkey's own policy or a hand-written
 * equivalent all count, and a policy *named* like ours that says something else does not.
 *
 * The evaluation is deliberately conservative in one direction: a `Deny` counts only when it is
 * certain to apply (every condition decided true); an `Allow` counts as allowing unless it is
 * certain not to apply. So an undecidable policy can make rootkey report "not covered" (and offer
 * the guardrail), never "covered" when it is not.
 */

/** The action whose denial makes a root access key impossible to create. */
export const CREATE_ACCESS_KEY_ACTION = 'iam:CreateAccessKey';

/** One SCP statement as written (JSON allows a string or a list in most places). */
export interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

/** The request a root user makes when it creates its own access key in account `accountId`. */
export interface RootRequestContext {
  accountId: string;
  partition?: string;
}

/** Whether a statement applies to the request: decided, or not decidable from what rootkey models. */
export type Applicability = 'applies' | 'does-not-apply' | 'unknown';

export interface StatementVerdict {
  sid?: string;
  effect: 'Allow' | 'Deny';
  applicability: Applicability;
  /** Why it was undecidable (an unmodelled condition key or operator). */
  note?: string;
}

export interface PolicyVerdict {
  /** A `Deny` statement certainly applies: the policy blocks root access key creation. */
  denies: boolean;
  /** Some `Allow` statement applies or may apply (SCPs need an Allow at every level). */
  allows: boolean;
  /** The statement that denies, for the report. */
  denyingSid?: string;
  /** The policy could not be read (not JSON, no statements). */
  unreadable?: string;
  notes: string[];
}

/**
 * The request context keys rootkey can decide for a root user creating its own key outside an
 * `sts:AssumeRoot` session. `aws:PrincipalType` is `Account` for the root user, and
 * `aws:AssumedRoot` is only present in AssumeRoot sessions (IAM global condition context keys;
 * aws-samples/service-control-policy-examples uses `Null aws:AssumedRoot = true` to mean "root,
 * but not through AssumeRoot"). Any other key makes a condition undecidable.
 */
function contextValue(key: string, ctx: RootRequestContext): { known: boolean; value?: string } {
  const partition = ctx.partition ?? 'aws';
  switch (key.toLowerCase()) {
    case 'aws:principalarn':
      return { known: true, value: `arn:${partition}:iam::${ctx.accountId}:root` };
    case 'aws:principalaccount':
      return { known: true, value: ctx.accountId };
    case 'aws:principaltype':
      return { known: true, value: 'Account' };
    case 'aws:userid':
      return { known: true, value: ctx.accountId };
    case 'aws:principalisawsservice':
    case 'aws:viaawsservice':
      return { known: true, value: 'false' };
    case 'aws:assumedroot':
      return { known: true };
    default:
      return { known: false };
  }
}

const asList = (v: unknown): string[] =>
  v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));

/** IAM's wildcard match: `*` any run, `?` one character. */
export function globMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, caseInsensitive ? 'is' : 's').test(value);
}

/** ArnLike: each of the six colon-separated parts is matched on its own (the resource part keeps its colons). */
function arnLike(pattern: string, arn: string): boolean {
  const split = (s: string) => {
    const parts = s.split(':');
    return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  if (pattern === '*') return true;
  const p = split(pattern);
  const a = split(arn);
  if (!p || !a) return false;
  return p.every((part, i) => globMatch(part, a[i]));
}

/** Action names are case-insensitive (`iam:createaccesskey` is the same action). */
function actionMatches(patterns: string[], action: string): boolean {
  return patterns.some((p) => globMatch(p, action, true));
}

type Operator = (pattern: string, value: string) => boolean;
const OPERATORS: Record<string, { match: Operator; negated: boolean }> = {
  stringequals: { match: (p, v) => p === v, negated: false },
  stringnotequals: { match: (p, v) => p === v, negated: true },
  stringequalsignorecase: { match: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: false },
  stringnotequalsignorecase: { match: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: true },
  stringlike: { match: (p, v) => globMatch(p, v), negated: false },
  stringnotlike: { match: (p, v) => globMatch(p, v), negated: true },
  arnequals: { match: arnLike, negated: false },
  arnlike: { match: arnLike, negated: false },
  arnnotequals: { match: arnLike, negated: true },
  arnnotlike: { match: arnLike, negated: true },
  bool: { match: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: false },
};

/** One `Operator: { key: values }` entry: true, false, or unknown (with why). */
function evaluateCondition(
  operatorName: string,
  key: string,
  rawValues: unknown,
  ctx: RootRequestContext,
): { result: boolean | 'unknown'; note?: string } {
  const lower = operatorName.toLowerCase();
  if (lower.startsWith('foranyvalue:') || lower.startsWith('forallvalues:')) {
    return { result: 'unknown', note: `set operator ${operatorName} is not modelled` };
  }
  const ctxValue = contextValue(key, ctx);
  if (!ctxValue.known) return { result: 'unknown', note: `condition key ${key} is not modelled` };
  const values = asList(rawValues);
  if (lower === 'null') {
    // `Null: true` means "the key is absent from the request".
    const wantsAbsent = values.some((v) => v.toLowerCase() === 'true');
    const wantsPresent = values.some((v) => v.toLowerCase() === 'false');
    const absent = ctxValue.value === undefined;
    return { result: (wantsAbsent && absent) || (wantsPresent && !absent) };
  }
  const ifExists = lower.endsWith('ifexists');
  const base = ifExists ? lower.slice(0, -'ifexists'.length) : lower;
  const op = OPERATORS[base];
  if (!op) return { result: 'unknown', note: `condition operator ${operatorName} is not modelled` };
  if (ctxValue.value === undefined) {
    // A missing key: …IfExists is true; a negated operator matches "none of" (true); others are false.
    return { result: ifExists || op.negated };
  }
  const matched = values.some((p) => op.match(p, ctxValue.value as string));
  return { result: op.negated ? !matched : matched };
}

/** Decides one statement against the root user's CreateAccessKey request. */
export function evaluateStatement(statement: PolicyStatement, ctx: RootRequestContext): StatementVerdict {
  const effect = statement.Effect === 'Deny' ? 'Deny' : 'Allow';
  const verdict = (applicability: Applicability, note?: string): StatementVerdict => ({
    ...(statement.Sid ? { sid: statement.Sid } : {}),
    effect,
    applicability,
    ...(note ? { note } : {}),
  });
  if (statement.Effect !== 'Deny' && statement.Effect !== 'Allow') return verdict('does-not-apply');

  if (statement.Action !== undefined) {
    if (!actionMatches(asList(statement.Action), CREATE_ACCESS_KEY_ACTION)) return verdict('does-not-apply');
  } else if (statement.NotAction !== undefined) {
    if (actionMatches(asList(statement.NotAction), CREATE_ACCESS_KEY_ACTION)) return verdict('does-not-apply');
  } else {
    return verdict('does-not-apply');
  }

  // The resource of a root user's CreateAccessKey is the root user itself.
  const resource = `arn:${ctx.partition ?? 'aws'}:iam::${ctx.accountId}:root`;
  if (statement.Resource !== undefined && !asList(statement.Resource).some((p) => arnLike(p, resource))) {
    return verdict('does-not-apply');
  }
  if (statement.NotResource !== undefined && asList(statement.NotResource).some((p) => arnLike(p, resource))) {
    return verdict('does-not-apply');
  }

  let unknownNote: string | undefined;
  for (const [operator, block] of Object.entries(statement.Condition ?? {})) {
    for (const [key, values] of Object.entries(block ?? {})) {
      const { result, note } = evaluateCondition(operator, key, values, ctx);
      if (result === false) return verdict('does-not-apply');
      if (result === 'unknown') unknownNote ??= note;
    }
  }
  return unknownNote ? verdict('unknown', unknownNote) : verdict('applies');
}

/** Parses an SCP document. Returns the statements or why it could not be read. */
export function parsePolicyStatements(content: string): { statements: PolicyStatement[] } | { error: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(content);
  } catch (error) {
    return { error: `not JSON (${(error as Error).message})` };
  }
  if (!doc || typeof doc !== 'object') return { error: 'not a policy document' };
  const raw = (doc as { Statement?: unknown }).Statement;
  const list = Array.isArray(raw) ? raw : raw ? [raw] : [];
  const statements = list.filter((s): s is PolicyStatement => !!s && typeof s === 'object');
  return statements.length > 0 ? { statements } : { error: 'no statements' };
}

/** Evaluates a whole SCP document for the root user of `ctx.accountId`. */
export function evaluatePolicy(content: string, ctx: RootRequestContext): PolicyVerdict {
  const parsed = parsePolicyStatements(content);
  if ('error' in parsed) return { denies: false, allows: false, unreadable: parsed.error, notes: [] };
  const verdicts = parsed.statements.map((s) => evaluateStatement(s, ctx));
  const deny = verdicts.find((v) => v.effect === 'Deny' && v.applicability === 'applies');
  const allows = verdicts.some((v) => v.effect === 'Allow' && v.applicability !== 'does-not-apply');
  const notes = verdicts.filter((v) => v.note).map((v) => `${v.sid ?? 'statement'}: ${v.note as string}`);
  return { denies: !!deny, allows, ...(deny?.sid ? { denyingSid: deny.sid } : {}), notes };
}
