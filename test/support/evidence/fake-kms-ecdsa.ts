import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';

/**
 * A KMS signing double's arithmetic: ECDSA P-256 over a digest handed in as is, which is what KMS
 * does for `Sign` with `MessageType: 'DIGEST'` and what node:crypto cannot do (it always hashes its
 * input). Test-only and deliberately plain: affine BigInt arithmetic, fresh random nonces.
 */
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const A = P - 3n;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const G: Point = {
  x: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
  y: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
};

interface Point {
  x: bigint;
  y: bigint;
}

const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;

function inverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, m);
}

function add(p: Point | undefined, q: Point | undefined): Point | undefined {
  if (!p) return q;
  if (!q) return p;
  if (p.x === q.x && mod(p.y + q.y, P) === 0n) return undefined;
  const slope =
    p.x === q.x && p.y === q.y
      ? mod((3n * p.x * p.x + A) * inverse(2n * p.y, P), P)
      : mod((q.y - p.y) * inverse(q.x - p.x, P), P);
  const x = mod(slope * slope - p.x - q.x, P);
  return { x, y: mod(slope * (p.x - x) - p.y, P) };
}

function multiply(k: bigint, point: Point): Point | undefined {
  let result: Point | undefined;
  let addend: Point | undefined = point;
  for (let e = k; e > 0n; e >>= 1n) {
    if (e & 1n) result = add(result, addend);
    addend = add(addend, addend);
  }
  return result;
}

const toBigInt = (bytes: Buffer) => BigInt(`0x${bytes.toString('hex') || '0'}`);

function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes[0] & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}

/** A P-256 key pair whose private scalar the double can use. */
export interface FakeKmsKey {
  publicKey: KeyObject;
  /** DER SubjectPublicKeyInfo, what kms:GetPublicKey returns. */
  publicKeyDer: Uint8Array;
  d: bigint;
  /** d·G computed here: tests compare it with the key's own public point to check the arithmetic. */
  derivedPublicPoint: { x: string; y: string };
}

export function fakeKmsKey(): FakeKmsKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const d = toBigInt(Buffer.from(privateKey.export({ format: 'jwk' }).d ?? '', 'base64url'));
  const point = multiply(d, G);
  if (!point) throw new Error('degenerate key');
  const hex = (v: bigint) => Buffer.from(v.toString(16).padStart(64, '0'), 'hex').toString('base64url');
  return {
    publicKey,
    publicKeyDer: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
    d,
    derivedPublicPoint: { x: hex(point.x), y: hex(point.y) },
  };
}

/** ECDSA-signs a 32-byte digest without hashing it again; returns the DER signature KMS would. */
export function signDigestLikeKms(key: FakeKmsKey, digest: Uint8Array): Buffer {
  const z = toBigInt(Buffer.from(digest));
  for (;;) {
    const k = mod(toBigInt(randomBytes(40)), N - 1n) + 1n;
    const r = mod(multiply(k, G)?.x ?? 0n, N);
    if (r === 0n) continue;
    const s = mod(inverse(k, N) * (z + r * key.d), N);
    if (s === 0n) continue;
    const body = Buffer.concat([derInteger(r), derInteger(s)]);
    return Buffer.concat([Buffer.from([0x30, body.length]), body]);
  }
}
