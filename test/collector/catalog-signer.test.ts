// Signing key formats accepted by CATALOG_SIGNING_KEY, and the signed catalog round trip.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCatalogSigner, loadCatalogFile, parsePrivateKey, signCatalog } from '../../src/collector/catalog-signer';
import { verifyCatalog } from '../../src/core/verify-catalog';
import { catalog } from './fixtures';

const dir = mkdtempSync(join(tmpdir(), 'canicall-signer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('catalog signer', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const base64 = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
  const rawPublic = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');

  it('reads the key as PEM or as base64 PKCS#8 and derives the raw public key', () => {
    expect(createCatalogSigner(parsePrivateKey(pem)).publicKeyBase64).toBe(rawPublic);
    expect(createCatalogSigner(parsePrivateKey(`  ${base64}\n`)).publicKeyBase64).toBe(rawPublic);
  });

  it('refuses keys that are not Ed25519', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => parsePrivateKey(rsa)).toThrow(/not ed25519/);
    expect(() => parsePrivateKey('bm90IGEga2V5')).toThrow();
  });

  it('signs the exact payload bytes, which verifyCatalog accepts', async () => {
    const signer = createCatalogSigner(privateKey);
    const signed = signCatalog(catalog, signer);
    expect(JSON.parse(signed.payload)).toEqual(catalog);
    expect(await verifyCatalog(signed, rawPublic)).toEqual({ ok: true, catalog });
  });

  it('reports a missing or invalid catalog file as an error value', async () => {
    expect(await loadCatalogFile(join(dir, 'missing.json'))).toMatchObject({ ok: false, error: expect.stringMatching(/could not be read/) });
    writeFileSync(join(dir, 'bad.json'), '{');
    expect(await loadCatalogFile(join(dir, 'bad.json'))).toMatchObject({ ok: false, error: expect.stringMatching(/not JSON/) });
    writeFileSync(join(dir, 'invalid.json'), '{"version":"x"}');
    expect(await loadCatalogFile(join(dir, 'invalid.json'))).toMatchObject({ ok: false, error: expect.stringMatching(/invalid catalog/) });
    writeFileSync(join(dir, 'good.json'), JSON.stringify(catalog));
    expect(await loadCatalogFile(join(dir, 'good.json'))).toEqual({ ok: true, catalog });
  });
});
