import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EvidenceError } from '../../core/errors';
import type { EvidenceSignature } from '../../core/evidence/evidence-record';
import {
  formatPublicKeyFile,
  localKeyId,
  publicKeyFileNames,
  type TrustedKey,
} from '../../core/evidence/evidence-signature';
import type { EvidenceSignerPort } from '../../ports/evidence-signer';

/** File name of the private key under `<dataDir>/keys/`. */
export const LOCAL_SIGNING_KEY_FILE = 'evidence-signing-key.pem';

/**
 * Signs evidence with an Ed25519 key kept under `<dataDir>/keys/` (folder 0700, key 0600), created
 * on first use. The public key is published as `<dataDir>/evidence/public-key.pem` so that the
 * evidence folder verifies on its own; a later, different key (the keys folder was deleted) is
 * published beside it as `public-key-<keyId>.pem` instead of replacing the one older records need.
 *
 * Ed25519 signs the 32 digest bytes themselves (Node cannot ECDSA-sign a precomputed digest; KMS
 * can, which is why the KMS signer uses ECDSA). Anyone who can read the keys folder can sign: the
 * local key protects against accidental and casual changes, and the printed fingerprint lets an
 * auditor pin the key; in AWS the key lives in KMS.
 */
export class LocalSigner implements EvidenceSignerPort {
  private loaded?: Promise<{ privateKey: KeyObject; trusted: TrustedKey }>;

  constructor(private readonly dataDir: string) {}

  async sign(digest: string): Promise<EvidenceSignature> {
    if (!/^[0-9a-f]{64}$/.test(digest)) throw new EvidenceError(`Not a SHA-256 hex digest: ${digest.slice(0, 80)}`);
    const { privateKey, trusted } = await this.load();
    const value = sign(null, Buffer.from(digest, 'hex'), privateKey).toString('base64');
    return { algorithm: 'ED25519', keyId: trusted.keyId, value };
  }

  async publicKey(): Promise<TrustedKey> {
    return (await this.load()).trusted;
  }

  private load() {
    this.loaded ??= this.loadOrCreate().catch((error: unknown) => {
      this.loaded = undefined; // a later call may succeed (permissions fixed)
      throw error;
    });
    return this.loaded;
  }

  private async loadOrCreate() {
    const keysDir = join(this.dataDir, 'keys');
    await mkdir(keysDir, { recursive: true, mode: 0o700 });
    const keyFile = join(keysDir, LOCAL_SIGNING_KEY_FILE);
    let pem: string;
    try {
      pem = await readFile(keyFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const generated = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      try {
        await writeFile(keyFile, generated, { flag: 'wx', mode: 0o600 });
        pem = generated;
      } catch (inner) {
        // Another process created it first: use theirs, so that both sign with one key.
        if ((inner as NodeJS.ErrnoException).code !== 'EEXIST') throw inner;
        pem = await readFile(keyFile, 'utf8');
      }
    }
    const privateKey = createPrivateKey(pem);
    if (privateKey.asymmetricKeyType !== 'ed25519') {
      throw new EvidenceError(`${keyFile} is not an Ed25519 private key`);
    }
    const publicPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
    const keyId = localKeyId(publicPem);
    const source = await this.publish(keyId, publicPem);
    return { privateKey, trusted: { keyId, publicKeyPem: publicPem, source } };
  }

  private async publish(keyId: string, publicPem: string): Promise<string> {
    const evidenceDir = join(this.dataDir, 'evidence');
    await mkdir(evidenceDir, { recursive: true });
    const content = formatPublicKeyFile(keyId, publicPem);
    for (const name of publicKeyFileNames(keyId)) {
      const file = join(evidenceDir, name);
      try {
        await writeFile(file, content, { flag: 'wx', mode: 0o644 });
        return file;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if ((await readFile(file, 'utf8')) === content) return file;
      }
    }
    throw new EvidenceError(`${join(evidenceDir, publicKeyFileNames(keyId)[1])} exists with another key`);
  }
}
