import fc from 'fast-check';
import { canonicalize, CanonicalJsonError } from '../../../../functions/core/evidence/canonical-json';

describe('canonicalize (RFC 8785 JSON Canonicalization Scheme)', () => {
  it('produces the RFC 8785 section 3.2.2 sample output', () => {
    // Prepare: the RFC's input, written as JSON text so that the numbers go through JSON.parse exactly as in the RFC.
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",' +
        ' "literals": [null, true, false]}',
    ) as unknown;

    // Act
    const output = canonicalize(input);

    // Assess
    expect(output).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts members by UTF-16 code units as in RFC 8785 section 3.2.3', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };

    const keys = Object.keys(JSON.parse(canonicalize(input)) as object);
    const order = [...canonicalize(input).matchAll(/"([^"]*)":"([^"]*)"/g)].map((m) => m[2]);

    expect(keys).toHaveLength(7);
    expect(order).toEqual([
      'Carriage Return',
      'One',
      'Control',
      'Latin Small Letter O With Diaeresis',
      'Euro Sign',
      'Emoji: Grinning Face',
      'Hebrew Letter Dalet With Dagesh',
    ]);
  });

  // RFC 8785 appendix B: IEEE 754 bit patterns and their required serialization.
  it.each([
    ['0000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('serializes the double with bits %s as %s (RFC 8785 appendix B)', (bits, expected) => {
    const value = Buffer.from(bits, 'hex').readDoubleBE(0);

    expect(canonicalize(value)).toBe(expected);
  });

  it('escapes strings exactly as JSON.stringify does', () => {
    const text = 'quote " backslash \\ slash / tab \t nl \n cr \r bs \b ff \f nul \u0000 us \u001f del \u007f é 😀';

    expect(canonicalize(text)).toBe(JSON.stringify(text));
    expect(canonicalize(text)).toContain('\\u0000');
    expect(canonicalize(text)).toContain('\\u001f');
  });

  it('drops undefined members and honours toJSON, as JSON.stringify does', () => {
    const when = new Date('2026-11-28T10:00:00.000Z');

    expect(canonicalize({ b: undefined, a: when, c: [1, { z: 1, y: undefined }] })).toBe(
      '{"a":"2026-11-28T10:00:00.000Z","c":[1,{"z":1}]}',
    );
  });

  it.each([
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['-0', -0],
    ['a bigint', 10n],
    ['a function', () => 1],
    ['a symbol', Symbol('x')],
    ['undefined in an array', [1, undefined]],
    ['a lone high surrogate', 'abc\ud800'],
    ['a lone low surrogate', '\udc00abc'],
    ['a Map', new Map([['a', 1]])],
    ['a class instance', new (class Thing {})()],
  ])('refuses %s instead of changing it silently', (_label, value) => {
    expect(() => canonicalize({ value })).toThrow(CanonicalJsonError);
  });

  it('refuses undefined as the whole value (JSON has no undefined)', () => {
    expect(() => canonicalize(undefined)).toThrow(CanonicalJsonError);
  });

  it('refuses a cyclic structure and says where it is', () => {
    const cyclic: Record<string, unknown> = { a: { b: {} } };
    (cyclic.a as Record<string, Record<string, unknown>>).b.back = cyclic;

    expect(() => canonicalize(cyclic)).toThrow(/cyclic structure at \$\.a\.b\.back/);
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };

    expect(canonicalize({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it('is stable: canonical JSON parsed and canonicalized again is unchanged', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        fc.pre(!containsMinusZero(value));
        const once = canonicalize(value);
        expect(canonicalize(JSON.parse(once))).toBe(once);
        expect(JSON.parse(once)).toEqual(value);
      }),
    );
  });

  it('does not depend on the order members were inserted in', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.integer()), (dict) => {
        const reversed = Object.fromEntries(Object.entries(dict).reverse());
        expect(canonicalize(reversed)).toBe(canonicalize(dict));
      }),
    );
  });
});

function containsMinusZero(value: unknown): boolean {
  if (Object.is(value, -0)) return true;
  if (Array.isArray(value)) return value.some(containsMinusZero);
  if (value && typeof value === 'object') return Object.values(value).some(containsMinusZero);
  return false;
}
