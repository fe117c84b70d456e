// Ed25519 signing of the served catalog, and loading the catalog file it signs.
import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseCatalog } from '../core/catalog';
import type { Catalog, CatalogResult } from '../core/catalog';
import type { SignedCatalog } from '../core/verify-catalog';
import { errorText } from '../core/error-text';

export interface CatalogSigner {
  sign(payload: string): string;
  /** The raw 32-byte public key, base64: what the extension bundles to verify catalogs. */
  publicKeyBase64: string;
}

/** Reads an Ed25519 private key given as PEM ("-----BEGIN PRIVATE KEY-----") or as base64 of the PKCS#8 DER. */
export function parsePrivateKey(text: string): KeyObject {
  const trimmed = text.trim();
  const key = trimmed.startsWith('-----BEGIN')
    ? createPrivateKey({ key: trimmed, format: 'pem' })
    : createPrivateKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'pkcs8' });
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`catalog signing key is ${key.asymmetricKeyType ?? 'unknown'}, not ed25519`);
  return key;
}

export function createCatalogSigner(privateKey: KeyObject): CatalogSigner {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  if (jwk.x === undefined) throw new Error('catalog signing key has no public part');
  return {
    sign: (payload) => sign(null, Buffer.from(payload, 'utf8'), privateKey).toString('base64'),
    publicKeyBase64: Buffer.from(jwk.x, 'base64url').toString('base64'),
  };
}

/** The payload is the catalog as validated (unknown keys dropped), serialised once; the signature covers those exact bytes. */
export function signCatalog(catalog: Catalog, signer: CatalogSigner): SignedCatalog {
  const payload = JSON.stringify(catalog);
  return { payload, signature: signer.sign(payload) };
}

/** Reads and validates a catalog file; a missing or invalid file is an error value, not a crash. */
export async function loadCatalogFile(path: string): Promise<CatalogResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { ok: false, error: `catalog file ${path} could not be read: ${errorText(error)}` };
  }
  try {
    return parseCatalog(JSON.parse(text));
  } catch {
    return { ok: false, error: `catalog file ${path} is not JSON` };
  }
}
