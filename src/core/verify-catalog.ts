// Checks a catalog served by the collector: Ed25519 signature over the exact payload string, then the catalog schema.
import * as v from 'valibot';
import { parseCatalog } from './catalog';
import type { CatalogResult } from './catalog';
import { schemaError } from './schema-error';
import { errorText } from './error-text';

/**
 * What GET /v1/catalog answers. The catalog travels as a JSON string so the signed bytes are
 * exactly the bytes received: no canonical JSON form has to be agreed on, and re-serialising
 * can never break a valid signature.
 */
export const SignedCatalogSchema = v.strictObject({
  payload: v.pipe(v.string(), v.maxLength(1_000_000)),
  signature: v.pipe(v.string(), v.regex(/^[A-Za-z0-9+/]{86}==$/, 'signature is 64 bytes, base64')),
});
export type SignedCatalog = v.InferOutput<typeof SignedCatalogSchema>;

function base64ToBytes(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Accepts the served catalog only if the signature checks against `publicKeyBase64` (the raw
 * 32-byte Ed25519 key, base64) and the payload is a valid catalog. Uses WebCrypto, so it runs in
 * the extension (Chrome 137+, Firefox 129+) and in Node 20. Whether the catalog is newer than the
 * bundled one is the caller's decision: a valid signature does not stop an old catalog being replayed.
 */
export async function verifyCatalog(
  served: unknown,
  publicKeyBase64: string,
  subtle: SubtleCrypto = globalThis.crypto.subtle,
): Promise<CatalogResult> {
  const shape = v.safeParse(SignedCatalogSchema, served);
  if (!shape.success) return { ok: false, error: schemaError('signed catalog', shape.issues) };

  let publicKey: Uint8Array<ArrayBuffer>;
  try {
    publicKey = base64ToBytes(publicKeyBase64);
  } catch {
    return { ok: false, error: 'catalog public key is not base64' };
  }
  if (publicKey.length !== 32) return { ok: false, error: 'catalog public key is not 32 bytes' };

  let valid: boolean;
  try {
    const key = await subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
    valid = await subtle.verify(
      { name: 'Ed25519' },
      key,
      base64ToBytes(shape.output.signature),
      new TextEncoder().encode(shape.output.payload),
    );
  } catch (error) {
    return { ok: false, error: `catalog signature could not be checked: ${errorText(error)}` };
  }
  if (!valid) return { ok: false, error: 'catalog signature does not match' };

  let data: unknown;
  try {
    data = JSON.parse(shape.output.payload);
  } catch {
    return { ok: false, error: 'signed catalog payload is not JSON' };
  }
  return parseCatalog(data);
}
