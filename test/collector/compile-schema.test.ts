import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { compileSchema, INVALID } from '../../src/collector/compile-schema';
import { compiledReportSchema, parseReceivedReport } from '../../src/collector/report-parser';
import { containsAddress, parseSharedReport } from '../../src/core/shared-report';
import type { SharedReport } from '../../src/core/shared-report';
import { sharedReport } from './fixtures';

/** A valid report using every part of the schema: both probe kinds with their optional fields, quality, evidence. */
function fullReport(): SharedReport {
  const base = sharedReport();
  return {
    ...base,
    probes: [
      ...base.probes,
      { kind: 'http', targetId: 'whatsapp-web', outcome: 'reachable', ms: 80, status: 204, h3: true, unnamed: true, attempts: 2 },
      { kind: 'ice', targetId: 'stun-control-1', transport: 'tcp', outcome: 'unreachable', evidence: 'deadline', failure: 'generic_timeout_error', ms: 990, attempts: 2 },
    ],
    evidence: {
      engine: 1,
      dns: [{ targetId: 'whatsapp-web', system: 'public', doh: 'answers', verdict: 'consistent' }],
      natAnswered: ['stun-control-1'],
      rtt: { targetId: 'stun-control-1', medianMs: 40, jitterMs: 3 },
      loadedRttMs: 85,
      loss: { targetId: 'stun-control-1', exchanges: 50, answered: 49, sent: 50, lost: 1 },
      paths: {
        rtt: [{ targetId: 'whatsapp-relay-udp', medianMs: 60 }],
        loss: [{ targetId: 'whatsapp-relay-udp', exchanges: 20, answered: 20, sent: 20, lost: 0 }],
      },
      quicH3: true,
    },
  };
}

type Path = (string | number)[];

function pathsOf(value: unknown, at: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [at];
  const keys = Array.isArray(value) ? Array.from({ length: value.length }, (_, i) => i) : Object.keys(value);
  return [at, ...keys.flatMap((k) => pathsOf((value as Record<string | number, unknown>)[k], [...at, k]))];
}

interface Mutation {
  path: number;
  op: 'set' | 'delete' | 'add' | 'wrap';
  key: string;
  value: unknown;
}

/** The report with one change at one place: a value replaced, a key removed or added, a value put in an array. */
function mutate(report: unknown, { path, op, key, value }: Mutation): unknown {
  const copy: unknown = structuredClone(report);
  const paths = pathsOf(copy);
  const target = paths[path % paths.length] ?? [];
  const parentPath = target.slice(0, -1);
  const last = target.at(-1);
  const parent = parentPath.reduce<unknown>((node, k) => (node as Record<string | number, unknown>)[k], copy) as Record<string | number, unknown>;
  const node = last === undefined ? copy : parent[last];
  if (op === 'add' && typeof node === 'object' && node !== null) {
    // defineProperty: a "__proto__" key is then an own property, as JSON.parse makes it.
    Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
    return copy;
  }
  if (last === undefined) return op === 'wrap' ? [copy] : value;
  if (op === 'delete') Reflect.deleteProperty(parent, last);
  else parent[last] = op === 'wrap' ? [node] : value;
  return copy;
}

const address = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.ipV4().map((a) => `stun.${a}`),
  fc.tuple(fc.ipV4(), fc.integer({ min: 1, max: 65_535 })).map(([a, p]) => `${a}.${p}`),
);
/** Values near the schema's edges: its own words, bounds, numbers JSON cannot write, addresses, anything. */
const value = fc.oneof(
  fc.constantFrom('http', 'ice', 'udp', 'works', 'public', 'whatsapp', 'chrome', 'PARTIAL', 'timeout', '', '14:00:00', 'relay-3232235786'),
  fc.constantFrom(0, -0, 1, 2, 10, 999, 1000, 3001, 10_000, 10_001, 30_000, 30_010, 4.5, 4.55, 0.1, Number.NaN, Infinity, true, false, null, undefined),
  fc.integer({ min: -10, max: 70_000 }),
  fc.double(),
  address,
  fc.string(),
  fc.anything(),
);
const mutation = fc.record({
  path: fc.nat(),
  op: fc.constantFrom('set', 'delete', 'add', 'wrap'),
  key: fc.oneof(fc.constantFrom('extra', '__proto__', 'constructor', 'toString', 'status', 'kind', '10.0.0.1'), fc.string()),
  value,
});

describe('the compiled report schema', () => {
  it('compiles the whole report schema: no part is left to valibot', () => {
    expect(compiledReportSchema.delegated).toEqual([]);
    expect(parseSharedReport(fullReport()).ok).toBe(true);
    expect(compiledReportSchema.parse(fullReport())).not.toBe(INVALID);
  });

  it("gives exactly valibot's answer and output, whatever is changed in a report (property)", () => {
    let valid = 0;
    fc.assert(
      fc.property(fc.constantFrom(fullReport(), sharedReport()), fc.array(mutation, { minLength: 0, maxLength: 3 }), (report, mutations) => {
        const input = mutations.reduce<unknown>((r, m) => mutate(r, m), report);
        const expected = parseSharedReport(input);
        const compiled = compiledReportSchema.parse(input);
        expect(compiled === INVALID).toBe(!expected.ok);
        if (expected.ok) {
          valid += 1;
          expect(compiled).toStrictEqual(expected.report);
          // What is stored is this text: the same keys in the same order.
          expect(JSON.stringify(compiled)).toBe(JSON.stringify(expected.report));
        }
        expect(parseReceivedReport(input)).toStrictEqual(expected);
      }),
      { numRuns: 3_000 },
    );
    // Both sides of the answer were tried, not only refusals.
    expect(valid).toBeGreaterThan(300);
  });

  it('refuses an address wherever a string is free, with the reason valibot gives', () => {
    const report = fullReport();
    const cases: unknown[] = [
      { ...report, apps: [{ ...report.apps[0], appId: 'stun.10.0.0.1' }] },
      { ...report, evidence: { ...report.evidence, natAnswered: ['198.51.100.23.54321'] } },
      { ...report, evidence: { ...report.evidence, dns: [{ ...report.evidence?.dns[0], targetId: 'fe80--1.10.0.0.1' }] } },
      JSON.parse(JSON.stringify(report).replace('"whatsapp-web"', '"192.168.1.10"')),
    ];
    for (const input of cases) {
      expect(compiledReportSchema.parse(input)).toBe(INVALID);
      expect(parseReceivedReport(input)).toEqual(parseSharedReport(input));
      expect(parseReceivedReport(input).ok).toBe(false);
    }
  });

  it('refuses a "__proto__" key as JSON.parse makes it, as valibot does', () => {
    const input: unknown = JSON.parse(JSON.stringify(sharedReport()).replace('"nat":', '"__proto__":{"x":1},"nat":'));
    expect(compiledReportSchema.parse(input)).toBe(INVALID);
    expect(parseSharedReport(input).ok).toBe(false);
  });
});

describe('compileSchema', () => {
  const short = (value: unknown) => JSON.stringify(value).length < 1_000;
  /** The schema's last action (its check, written in place so valibot infers its type) as the address check. */
  const scanningAt = (schema: { pipe: readonly unknown[] }) => ({ addressCheck: { action: schema.pipe.at(-1), containsAddress } });

  it('leaves a part it does not compile to valibot, and scans its keys and strings for addresses', () => {
    const schema = v.pipe(v.strictObject({ names: v.record(v.string(), v.number()) }), v.check((value) => short(value)));
    const compiled = compileSchema(schema, scanningAt(schema));
    expect(compiled.delegated).toEqual(['record']);
    expect(compiled.parse({ names: { a: 1 } })).toEqual({ names: { a: 1 } });
    expect(compiled.parse({ names: { '10.0.0.1': 1 } })).toBe(INVALID);
    expect(compiled.parse({ names: { a: 'x' } })).toBe(INVALID);
  });

  it('scans free strings only below the address check', () => {
    const inner = v.pipe(v.strictObject({ text: v.string() }), v.check((value) => short(value)));
    const schema = v.strictObject({ note: v.string(), inner });
    const compiled = compileSchema(schema, scanningAt(inner));
    expect(compiled.parse({ note: '10.0.0.1', inner: { text: 'ok' } })).toEqual({ note: '10.0.0.1', inner: { text: 'ok' } });
    expect(compiled.parse({ note: 'ok', inner: { text: '10.0.0.1' } })).toBe(INVALID);
  });

  it('refuses to compile a schema whose own key or literal holds an address', () => {
    const key = v.pipe(v.strictObject({ '10.0.0.1': v.number() }), v.check((value) => short(value)));
    const literal = v.pipe(v.strictObject({ a: v.literal('::1') }), v.check((value) => short(value)));
    expect(() => compileSchema(key, scanningAt(key))).toThrow(/holds an address/);
    expect(() => compileSchema(literal, scanningAt(literal))).toThrow(/holds an address/);
  });

  it("runs checks only on values of the right shape, and keeps the order of the schema's keys", () => {
    const schema = v.strictObject({
      b: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(10), v.multipleOf(2)),
      a: v.optional(v.pipe(v.array(v.picklist(['x', 'y'])), v.minLength(1), v.maxLength(2))),
    });
    const compiled = compileSchema(schema);
    expect(compiled.delegated).toEqual([]);
    expect(JSON.stringify(compiled.parse({ a: ['x'], b: 4 }))).toBe('{"b":4,"a":["x"]}');
    for (const bad of [{ b: 3 }, { b: 12 }, { b: -2 }, { b: 2.5 }, { b: Number.NaN }, { a: [], b: 2 }, { a: ['z'], b: 2 }, { b: 2, c: 1 }, [], null]) {
      expect(compiled.parse(bad)).toBe(INVALID);
      expect(v.safeParse(schema, bad).success).toBe(false);
    }
  });
});
