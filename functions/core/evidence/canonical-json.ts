/**
 * RFC 8785 JSON Canonicalization Scheme (JCS), written here rather than taken from the
 * `canonicalize` package because that package is ESM-only and this project runs as CommonJS.
 *
 * The canonical form is what evidence digests are computed over, so it must be byte-for-byte
 * reproducible by any verifier, in any language that implements RFC 8785:
 * - object members sorted by their names' UTF-16 code units (JavaScript's default string order);
 * - numbers serialized the way ECMAScript's `Number.prototype.toString` does (what `JSON.stringify` uses);
 * - strings escaped exactly as `JSON.stringify` escapes them (`\b \f \n \r \t \" \\`, other
 *   controls as lower-case `\u00xx`, everything else literal);
 * - no whitespace.
 *
 * Values JSON cannot represent faithfully are refused instead of silently changed: NaN, ±Infinity,
 * -0 (it would come back as 0), lone surrogates (RFC 8785 requires I-JSON, RFC 7493), bigint,
 * functions, symbols, cycles and non-plain objects (Map, Set, class instances without `toJSON`).
 * `undefined` object members are dropped and `toJSON` is honoured, both as `JSON.stringify` does;
 * `undefined` inside an array is refused because `JSON.stringify` would turn it into `null`.
 */
export function canonicalize(value: unknown): string {
  return serialize(value, [], '$');
}

/** Thrown for a value that has no canonical JSON form; `path` names where it sits (`$.data.keys[0]`). */
export class CanonicalJsonError extends Error {
  override readonly name = 'CanonicalJsonError';
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${message} at ${path}`);
  }
}

function serialize(value: unknown, ancestors: object[], path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return serializeNumber(value, path);
    case 'string':
      return serializeString(value, path);
    case 'object':
      return serializeObject(value, ancestors, path);
    default:
      // undefined, bigint, function, symbol: JSON has no such value.
      throw new CanonicalJsonError(`Cannot canonicalize a value of type ${typeof value}`, path);
  }
}

function serializeNumber(value: number, path: string): string {
  if (!Number.isFinite(value)) throw new CanonicalJsonError(`Cannot canonicalize ${value}`, path);
  if (Object.is(value, -0)) throw new CanonicalJsonError('Cannot canonicalize -0', path);
  // ECMAScript's Number::toString is exactly RFC 8785's number serialization (section 3.2.2.3).
  return String(value);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function serializeString(value: string, path: string): string {
  if (LONE_SURROGATE.test(value)) {
    throw new CanonicalJsonError('Cannot canonicalize a string with a lone surrogate (not I-JSON)', path);
  }
  // For well-formed strings JSON.stringify's escaping is RFC 8785's (section 3.2.2.2).
  return JSON.stringify(value);
}

function serializeObject(value: object, ancestors: object[], path: string): string {
  if (ancestors.includes(value)) throw new CanonicalJsonError('Cannot canonicalize a cyclic structure', path);
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    // Date and friends: serialize what they say they are, as JSON.stringify does.
    return serialize((toJSON as (key: string) => unknown).call(value, ''), ancestors, path);
  }
  const nested = [...ancestors, value];
  if (Array.isArray(value)) {
    const items = value.map((item: unknown, index) => {
      if (item === undefined)
        throw new CanonicalJsonError('Cannot canonicalize undefined in an array', `${path}[${index}]`);
      return serialize(item, nested, `${path}[${index}]`);
    });
    return `[${items.join(',')}]`;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    const kind = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
    throw new CanonicalJsonError(`Cannot canonicalize a ${kind} (only plain objects and arrays)`, path);
  }
  const record = value as Record<string, unknown>;
  // Array.prototype.sort without a comparator orders strings by UTF-16 code units: RFC 8785 section 3.2.3.
  const members = Object.keys(record)
    .sort()
    .filter((key) => record[key] !== undefined)
    .map((key) => `${serializeString(key, `${path}.${key}`)}:${serialize(record[key], nested, `${path}.${key}`)}`);
  return `{${members.join(',')}}`;
}
