import fc from 'fast-check';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Every path into a JSON value (the root included), depth first. */
export function jsonPaths(value: unknown, prefix: Path = []): Path[] {
  const paths: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => paths.push(...jsonPaths(v, [...prefix, i])));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) paths.push(...jsonPaths(v, [...prefix, k]));
  }
  return paths;
}

/** Text that tries to break parsers and renderers: control characters, Slack markup, huge and odd numbers. */
export const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\n\t\r',
    '<!channel>',
    '<@U0EVIL>',
    '<!subteam^S0EVIL>',
    '<http://evil.example|x>',
    '__proto__',
    'constructor',
    '{"a":1}',
    '9'.repeat(400),
    'a'.repeat(5000),
    '2026-02-30T25:61:00Z',
    'NaN',
    '-0',
    '../../etc/passwd',
    'RK-000000000000-00000000000000-zzzz',
  ),
);

/** Any JSON, with hostile strings more likely than fast-check's defaults. */
export const hostileJson: fc.Arbitrary<Json> = fc.letrec<{ json: Json }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    hostileString,
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(hostileString, tie('json'), { maxKeys: 4 }),
  ),
})).json;

type Mutation = { path: number; op: 'delete' | 'replace' | 'null' | 'wrap' | 'stringify' | 'empty'; value: Json };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  path: fc.nat(),
  op: fc.constantFrom('delete', 'replace', 'null', 'wrap', 'stringify', 'empty'),
  value: hostileJson,
});

function apply(base: Json, m: Mutation): Json {
  const paths = jsonPaths(base);
  const path = paths[m.path % paths.length]!;
  const copy = structuredClone(base);
  const set = (v: Json | undefined): Json => {
    if (path.length === 0) return v === undefined ? null : v;
    let parent = copy as Record<string | number, Json>;
    for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
    const last = path.at(-1)!;
    if (v === undefined) {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else parent[last] = v;
    return copy;
  };
  const current = path.reduce<Json>((v, k) => (v as Record<string | number, Json>)[k]!, copy);
  switch (m.op) {
    case 'delete':
      return set(undefined);
    case 'replace':
      return set(m.value);
    case 'null':
      return set(null);
    case 'wrap':
      return set([current]);
    case 'stringify':
      return set(JSON.stringify(current) ?? '');
    case 'empty':
      return set(Array.isArray(current) ? [] : typeof current === 'object' && current !== null ? {} : '');
  }
}

/**
 * Variants of a valid document with one to three mutations (a field deleted, replaced by hostile
 * JSON, nulled, wrapped in an array, turned into a string, emptied): close enough to the real shape
 * to get past the first checks, which is where parsers break.
 */
export function mutationsOf(base: unknown): fc.Arbitrary<unknown> {
  return fc.array(mutation, { minLength: 1, maxLength: 3 }).map((ms) => ms.reduce(apply, base as Json));
}
