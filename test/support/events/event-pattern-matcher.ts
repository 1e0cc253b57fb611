/**
 * An EventBridge event-pattern matcher that follows the documented semantics, so that tests can
 * evaluate the patterns a template deploys against real-shaped events (offline: no
 * `TestEventPattern` call). Sources, in the EventBridge User Guide:
 * - Event pattern syntax (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html):
 *   the event must contain every field the pattern names, with the same nesting; each leaf is an
 *   array of values, any of which may match; fields the pattern does not name are ignored.
 * - Arrays (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html):
 *   when the event's value is an array, the pattern matches if the intersection is non-empty. A
 *   pattern path that crosses an array of objects (`detail.findings[].Workflow.Status`) therefore
 *   collects the values of every element, each leaf condition on its own.
 * - Comparison operators (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html):
 *   exact values (strings, numbers, `null`, `""`), `prefix`, `suffix` (both also with
 *   `equals-ignore-case`), `equals-ignore-case`, `wildcard` (`*` any run of characters, `\*` a
 *   literal star), `anything-but` (a value, a list, or `prefix` / `suffix` / `equals-ignore-case` /
 *   `wildcard`), `numeric` (`=`, `<`, `<=`, `>`, `>=`, up to two comparisons), `cidr` (IPv4),
 *   `exists` (leaf nodes only: a field holding an object neither exists nor is absent for it), and
 *   `$or` (an array of sub-patterns, any of which may match, combined with the other fields).
 *   Comparison operators work on leaf nodes only, except `$or` and `anything-but`.
 * `anything-but` and the string operators need the field to be present; only `exists: false`
 * matches a missing field.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** An event pattern as JSON (as a template or `events.EventPattern` renders it). */
export type EventPattern = Record<string, unknown>;

/** Whether `event` matches `pattern` (an EventBridge event pattern as JSON). */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  return matchObject(pattern as { [key: string]: Json }, [event]);
}

/** `nodes`: every value the pattern's path so far reaches in the event (arrays fan out). */
function matchObject(pattern: { [key: string]: Json }, nodes: unknown[]): boolean {
  return Object.entries(pattern).every(([key, condition]) => {
    if (key === '$or') {
      if (!Array.isArray(condition)) throw new Error('$or takes an array of patterns');
      return condition.some((alternative) => matchObject(alternative as { [key: string]: Json }, nodes));
    }
    const children = nodes.flatMap((node) => childrenOf(node, key));
    if (Array.isArray(condition)) return matchLeaf(condition, leaves(children));
    if (condition !== null && typeof condition === 'object') return matchObject(condition, children);
    throw new Error(`Pattern field ${key} must be an array or an object, not ${JSON.stringify(condition)}`);
  });
}

function childrenOf(node: unknown, key: string): unknown[] {
  if (Array.isArray(node)) return node.flatMap((item) => childrenOf(item, key));
  if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key)) return [];
  const child = (node as Record<string, unknown>)[key];
  return Array.isArray(child) ? child : [child];
}

/** The leaf values among `nodes` (scalars; arrays flattened; objects are not leaves). */
function leaves(nodes: unknown[]): Json[] {
  return nodes
    .flatMap((node) => (Array.isArray(node) ? node : [node]))
    .filter((node): node is Json => node === null || typeof node !== 'object');
}

function matchLeaf(conditions: Json[], values: Json[]): boolean {
  return conditions.some((condition) => {
    if (isObject(condition) && 'exists' in condition) {
      return condition['exists'] === true ? values.length > 0 : values.length === 0;
    }
    return values.some((value) => matchValue(condition, value));
  });
}

function matchValue(condition: Json, value: Json): boolean {
  if (!isObject(condition)) return condition === value;
  const [operator, operand] = onlyEntry(condition);
  switch (operator) {
    case 'prefix':
      return typeof value === 'string' && stringTest(operand, value, (v, s) => v.startsWith(s));
    case 'suffix':
      return typeof value === 'string' && stringTest(operand, value, (v, s) => v.endsWith(s));
    case 'equals-ignore-case':
      return typeof value === 'string' && typeof operand === 'string' && value.toLowerCase() === operand.toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && typeof operand === 'string' && wildcard(operand).test(value);
    case 'numeric':
      return typeof value === 'number' && numeric(operand, value);
    case 'cidr':
      return typeof value === 'string' && typeof operand === 'string' && inCidr(value, operand);
    case 'anything-but':
      return anythingBut(operand, value);
    default:
      throw new Error(`Unknown pattern operator ${operator}`);
  }
}

function anythingBut(operand: Json, value: Json): boolean {
  if (Array.isArray(operand)) return !operand.includes(value);
  if (!isObject(operand)) return operand !== value;
  // The string forms negate one string operator; they only apply to string values.
  return typeof value === 'string' && !matchValue(operand, value);
}

/** `prefix` / `suffix` take a string or `{ "equals-ignore-case": string }`. */
function stringTest(operand: Json, value: string, test: (value: string, s: string) => boolean): boolean {
  if (typeof operand === 'string') return test(value, operand);
  if (isObject(operand) && typeof operand['equals-ignore-case'] === 'string') {
    return test(value.toLowerCase(), operand['equals-ignore-case'].toLowerCase());
  }
  throw new Error(`Unsupported string operand ${JSON.stringify(operand)}`);
}

function wildcard(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i]!;
    if (c === '\\' && pattern[i + 1] === '*') {
      source += '\\*';
      i += 1;
    } else if (c === '*') source += '.*';
    else source += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 's');
}

function numeric(operand: Json, value: number): boolean {
  if (!Array.isArray(operand) || operand.length % 2 !== 0 || operand.length === 0 || operand.length > 4) {
    throw new Error(`numeric takes one or two [operator, number] pairs, not ${JSON.stringify(operand)}`);
  }
  for (let i = 0; i < operand.length; i += 2) {
    const [op, bound] = [operand[i], operand[i + 1]];
    if (typeof bound !== 'number') throw new Error(`numeric bound must be a number, not ${JSON.stringify(bound)}`);
    const ok =
      op === '='
        ? value === bound
        : op === '<'
          ? value < bound
          : op === '<='
            ? value <= bound
            : op === '>'
              ? value > bound
              : op === '>='
                ? value >= bound
                : (() => {
                    throw new Error(`Unknown numeric operator ${String(op)}`);
                  })();
    if (!ok) return false;
  }
  return true;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const toInt = (a: string) => {
    const parts = a.split('.').map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
    return parts.reduce((n, p) => n * 256 + p, 0);
  };
  const [address, network] = [toInt(ip), toInt(base ?? '')];
  const prefix = Number(bits ?? 32);
  if (address === undefined || network === undefined) return false;
  const size = 2 ** (32 - prefix);
  return Math.floor(address / size) === Math.floor(network / size);
}

function isObject(value: Json): value is { [key: string]: Json } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function onlyEntry(condition: { [key: string]: Json }): [string, Json] {
  const entries = Object.entries(condition);
  if (entries.length !== 1) throw new Error(`A pattern operator object has one key: ${JSON.stringify(condition)}`);
  return entries[0]!;
}
