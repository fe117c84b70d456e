// Options page logic: custom server validation against the settings schema, and the share preview.
import { describe, expect, it } from 'vitest';
import { validateCustomServer } from '../../src/options/custom-server-form';
import { previewSharedPayload } from '../../src/options/share-preview';
import { sampleReport } from './fixtures/sample-report';

describe('validateCustomServer', () => {
  it('accepts a STUN or TURN URL and trims what was typed', () => {
    expect(validateCustomServer('  stun:stun.example.org:3478 ', ' Home ', [])).toEqual({
      ok: true,
      server: { url: 'stun:stun.example.org:3478', label: 'Home' },
    });
    expect(validateCustomServer('turns:turn.example.org:443?transport=tcp', '', []).ok).toBe(true);
  });

  it('names the field that is wrong', () => {
    expect(validateCustomServer('https://example.org', 'x', [])).toEqual({ ok: false, errors: { url: 'custom_invalid_url' } });
    expect(validateCustomServer('stun:a b', 'x', [])).toEqual({ ok: false, errors: { url: 'custom_invalid_url' } });
    expect(validateCustomServer('stun:a.example', 'x'.repeat(61), [])).toEqual({ ok: false, errors: { label: 'custom_invalid_label' } });
  });

  it('refuses a server already in the list', () => {
    const existing = [{ url: 'stun:a.example:3478', label: 'A' }];
    expect(validateCustomServer('stun:a.example:3478', 'again', existing)).toEqual({ ok: false, errors: { url: 'custom_duplicate' } });
  });
});

describe('previewSharedPayload', () => {
  const uploadId = '0b7f6a5e-4d3c-4b2a-9f1e-0d9c8b7a6f5e';

  it('shows the anonymised payload: the upload id, the hour, verdicts; never an address', () => {
    const preview = previewSharedPayload(sampleReport(), uploadId);
    if (!preview.ok) throw new Error(preview.error);
    const payload = JSON.parse(preview.json) as Record<string, unknown>;
    expect(payload.id).toBe(uploadId);
    expect(payload.hour).toBe('2026-03-01T14:00:00Z');
    expect(preview.json).toContain('"DNS_TAMPERED"');
    expect(preview.json).not.toContain('157.240.1.53');
    expect(preview.json).not.toContain(sampleReport().id);
  });

  it('makes a fresh random id each time when none is given', () => {
    const first = previewSharedPayload(sampleReport());
    const second = previewSharedPayload(sampleReport());
    expect(first.ok && second.ok && first.json !== second.json).toBe(true);
  });

  it('reports what anonymise refused instead of showing a payload', () => {
    const report = sampleReport();
    const preview = previewSharedPayload(report, report.id);
    expect(preview.ok).toBe(false);
  });
});
