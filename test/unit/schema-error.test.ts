// Schema failures in words: where the first issue is and what it says, capped when the data came from a stranger.
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { issuePath, schemaError, UNTRUSTED } from '../../src/core/schema-error';

const Schema = v.object({ apps: v.array(v.object({ appId: v.pipe(v.string(), v.minLength(1, 'appId is empty')) })) });

function issuesOf(data: unknown) {
  const result = v.safeParse(Schema, data);
  if (result.success) throw new Error('expected a schema failure');
  return result.issues;
}

describe('schemaError', () => {
  it('names the thing, the dotted path of the first issue and its message', () => {
    expect(schemaError('report', issuesOf({ apps: [{ appId: 'a' }, { appId: '' }] }))).toBe('invalid report at apps.1.appId: appId is empty');
  });

  it('leaves out "at" for an issue at the top level', () => {
    expect(schemaError('report', issuesOf(null))).toMatch(/^invalid report: /);
    expect(issuePath(issuesOf(null))).toBe('');
  });

  it('caps each key, the path and the whole text of untrusted data (its keys and values are the sender\'s)', () => {
    const key = 'k'.repeat(500);
    const strict = v.safeParse(v.strictObject({ apps: v.array(v.unknown()) }), { apps: [], [key]: 1 });
    if (strict.success) throw new Error('expected a schema failure');
    expect(issuePath(strict.issues, UNTRUSTED)).toBe('k'.repeat(UNTRUSTED.keyChars));
    const capped = schemaError('report', strict.issues, UNTRUSTED);
    expect(capped).toHaveLength(UNTRUSTED.totalChars + 1);
    expect(capped.endsWith('…')).toBe(true);
    expect(schemaError('report', strict.issues)).toContain(key);
  });
});
