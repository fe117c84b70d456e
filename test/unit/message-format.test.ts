// Messages read from a fetched locale file substitute like browser.i18n.getMessage.
import { describe, expect, it } from 'vitest';
import { formatMessage, parseLocaleMessages, placeholdersOf } from '../../src/ui/message-format';

describe('formatMessage', () => {
  it('replaces $1..$9 in any order and $$ with a dollar sign', () => {
    expect(formatMessage('$2 of $1 apps, $$5', ['16', '3'])).toBe('3 of 16 apps, $5');
  });

  it('leaves a missing substitution empty rather than printing "$1"', () => {
    expect(formatMessage('Could not start. $1', [])).toBe('Could not start. ');
  });
});

describe('placeholdersOf', () => {
  it('lists the numbered placeholders once each, ignoring $$', () => {
    expect(placeholdersOf('$2 and $1 and $1, $$')).toEqual([1, 2]);
  });
});

describe('parseLocaleMessages', () => {
  it('keeps entries with a string message and skips the rest', () => {
    const messages = parseLocaleMessages({ a: { message: 'A' }, b: { message: 3 }, c: 'C', d: { description: 'x' } });
    expect([...messages]).toEqual([['a', 'A']]);
  });

  it('gives an empty map for data that is not an object', () => {
    expect(parseLocaleMessages(null).size).toBe(0);
    expect(parseLocaleMessages('x').size).toBe(0);
  });
});
