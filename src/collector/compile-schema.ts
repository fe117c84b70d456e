// Compiles a valibot schema once into plain checks that accept exactly what the schema accepts and build the same output, without valibot's per-call datasets: the collector validates every report it receives.
import type * as v from 'valibot';

/** What a compiled schema returns for an input its schema refuses; the caller asks valibot for the reason. */
export const INVALID: unique symbol = Symbol('invalid');
type Invalid = typeof INVALID;

/** The parts of a valibot schema or action the compiler reads (valibot's own objects carry them; see its source). */
interface Node {
  readonly kind: string;
  readonly type: string;
  readonly pipe?: readonly Node[];
  readonly entries?: Readonly<Record<string, Node>>;
  readonly item?: Node;
  readonly wrapped?: Node;
  readonly options?: readonly unknown[];
  readonly key?: string;
  readonly literal?: unknown;
  readonly requirement?: unknown;
  readonly default?: unknown;
  readonly fallback?: unknown;
  readonly '~run': (dataset: { value: unknown; typed?: boolean }, config: v.Config<v.BaseIssue<unknown>>) => { value: unknown; issues?: unknown };
}

/** For issues only their existence matters here; valibot then stops at the first. */
const CONFIG: v.Config<v.BaseIssue<unknown>> = { abortEarly: true };
const OPTIONAL_TYPES: ReadonlySet<string> = new Set(['optional', 'exact_optional', 'nullish']);

export interface CompileOptions {
  /**
   * A check action of the schema that rejects any string holding an address, and the test it applies. Where the
   * compiler meets it in a pipe, it checks each string the input supplies instead of walking the output again: the
   * keys of strict objects and every literal are fixed by the schema and are checked once, here, at compile time.
   */
  addressCheck?: { action: unknown; containsAddress: (text: string) => boolean };
}

export interface CompiledSchema<S extends v.GenericSchema> {
  /** The schema's output for a valid input (a new object, as valibot builds it), else INVALID. */
  parse(input: unknown): v.InferOutput<S> | Invalid;
  /** Types of the nodes left to valibot's own code (none for the report schema; a test says so). */
  delegated: readonly string[];
}

/** Every key and string in a value: for the parts valibot checks itself, which may build strings the schema does not fix. */
function holdsAddress(value: unknown, containsAddress: (text: string) => boolean): boolean {
  if (typeof value === 'string') return containsAddress(value);
  if (Array.isArray(value)) return value.some((item) => holdsAddress(item, containsAddress));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).some(([key, item]) => containsAddress(key) || holdsAddress(item, containsAddress));
  }
  return false;
}

/**
 * Writes one JavaScript function per schema node, called by name from its parent's: each call site then always calls
 * the same function, which V8 inlines (closures called from one shared site ran only ~2 x faster than valibot).
 * The source holds only fixed text, numbers, and keys and literals written by JSON.stringify; every other value
 * (patterns, check functions, valibot nodes) is passed in as a constant.
 */
class Generator {
  readonly constants: unknown[] = [];
  readonly functions: string[] = [];
  readonly delegated: string[] = [];
  readonly addressCheck: CompileOptions['addressCheck'];
  private scanName: string | undefined;

  constructor(addressCheck: CompileOptions['addressCheck']) {
    this.addressCheck = addressCheck;
  }

  constant(value: unknown): string {
    this.constants.push(value);
    return `c${this.constants.length - 1}`;
  }

  define(body: string): string {
    const name = `f${this.functions.length}`;
    this.functions.push(`function ${name}(x) {\n${body}\n}`);
    return name;
  }

  /** The constant naming the address test, for the strings below an address check. */
  scan(): string {
    if (this.addressCheck === undefined) throw new Error('no address check to scan with');
    this.scanName ??= this.constant(this.addressCheck.containsAddress);
    return this.scanName;
  }

  /** A string the schema itself fixes (a key, a literal) is checked now, once. */
  fixedString(value: unknown, scanning: boolean, what: string): void {
    if (scanning && typeof value === 'string' && this.addressCheck?.containsAddress(value) === true) {
      throw new Error(`the schema's own ${what} ${JSON.stringify(value)} holds an address: the address check would refuse every input`);
    }
  }

  /** Valibot runs the node itself: exact, only slower. */
  delegate(node: Node, scanning: boolean): string {
    this.delegated.push(node.type);
    const n = this.constant(node);
    const holds = scanning ? `if (${this.constant(holdsAddress)}(d.value, ${this.scan()})) return I;` : '';
    return this.define(`const d = ${n}['~run']({ value: x }, CONFIG); if (d.issues !== undefined) return I; ${holds} return d.value;`);
  }

  /** A number for the source, or undefined when it cannot be written as a plain literal. */
  static numberLiteral(value: unknown): string | undefined {
    return typeof value === 'number' && Number.isFinite(value) ? JSON.stringify(value) : undefined;
  }

  /** The statement that refuses the output `o` when an action fails, or undefined when valibot must run the action. */
  action(action: Node): string | undefined {
    const r = action.requirement;
    const literal = Generator.numberLiteral(r);
    switch (action.type) {
      case 'max_length':
        return literal === undefined ? undefined : `if (o.length > ${literal}) return I;`;
      case 'min_length':
        return literal === undefined ? undefined : `if (o.length < ${literal}) return I;`;
      case 'min_value':
        return literal === undefined ? undefined : `if (!(o >= ${literal})) return I;`;
      case 'max_value':
        return literal === undefined ? undefined : `if (!(o <= ${literal})) return I;`;
      case 'multiple_of':
        return literal === undefined ? undefined : `if (o % ${literal} !== 0) return I;`;
      case 'regex':
        // A global or sticky pattern keeps state between calls: left to valibot.
        return r instanceof RegExp && !r.global && !r.sticky ? `if (!${this.constant(r)}.test(o)) return I;` : undefined;
      case 'check':
      case 'integer':
        return typeof r === 'function' ? `if (!${this.constant(r)}(o)) return I;` : undefined;
      default:
        this.delegated.push(action.type);
        return `if (${this.constant(action)}['~run']({ typed: true, value: o }, CONFIG).issues !== undefined) return I;`;
    }
  }

  pipe(node: Node, pipe: readonly Node[], scanning: boolean): string {
    const [base, ...actions] = pipe;
    if (base === undefined || actions.some((a) => a.kind === 'transformation')) return this.delegate(node, scanning);
    const scanBelow = scanning || (this.addressCheck !== undefined && actions.some((a) => a === this.addressCheck?.action));
    const lines = [`let o = ${this.node(base, scanBelow)}(x); if (o === I) return I;`];
    for (const action of actions) {
      if (action.kind === 'metadata' || action === this.addressCheck?.action) continue;
      if (action.kind === 'schema') {
        lines.push(`o = ${this.node(action, scanBelow)}(o); if (o === I) return I;`);
        continue;
      }
      const line = this.action(action);
      if (line === undefined) return this.delegate(node, scanning);
      lines.push(line);
    }
    lines.push('return o;');
    return this.define(lines.join('\n'));
  }

  object(node: Node, entries: Readonly<Record<string, Node>>, scanning: boolean): string {
    const lines = ["if (!x || typeof x !== 'object') return I;", 'const o = {};'];
    const cases: string[] = [];
    for (const [key, schema] of Object.entries(entries)) {
      // Defaults and fallbacks put values the input did not send: left to valibot.
      if (schema.default !== undefined || schema.fallback !== undefined) return this.delegate(node, scanning);
      this.fixedString(key, scanning, 'key');
      const k = JSON.stringify(key);
      const absent = OPTIONAL_TYPES.has(schema.type) ? '' : ' else return I;';
      lines.push(`if (${k} in x) { const v = ${this.node(schema, scanning)}(x[${k}]); if (v === I) return I; o[${k}] = v; }${absent}`);
      cases.push(`case ${k}:`);
    }
    // As valibot's strictObject: any other enumerable key, own or inherited, is refused.
    lines.push(`for (const k in x) switch (k) { ${cases.join(' ')} break; default: return I; }`, 'return o;');
    return this.define(lines.join('\n'));
  }

  variant(node: Node, key: string, options: readonly unknown[], scanning: boolean): string {
    const k = JSON.stringify(key);
    const lines = ["if (!x || typeof x !== 'object') return I;", `if (!(${k} in x)) return I;`, `const d = x[${k}];`];
    const seen = new Set<unknown>();
    for (const option of options as readonly Node[]) {
      const discriminator = option.entries?.[key];
      // Only options told apart by one string literal each: then at most one can match, and its result is valibot's.
      // Others (nested variants, optional or overlapping discriminators, which valibot ranks) are left to valibot.
      if (option.type === 'variant' || discriminator?.type !== 'literal' || discriminator.pipe !== undefined) return this.delegate(node, scanning);
      const literal = discriminator.literal;
      if (typeof literal !== 'string' || seen.has(literal)) return this.delegate(node, scanning);
      seen.add(literal);
      lines.push(`if (d === ${JSON.stringify(literal)}) return ${this.node(option, scanning)}(x);`);
    }
    lines.push('return I;');
    return this.define(lines.join('\n'));
  }

  node(node: Node, scanning: boolean): string {
    if (node.pipe !== undefined) return this.pipe(node, node.pipe, scanning);
    switch (node.type) {
      case 'string':
        return this.define(
          scanning ? `return typeof x === 'string' && !${this.scan()}(x) ? x : I;` : "return typeof x === 'string' ? x : I;",
        );
      case 'number':
        return this.define("return typeof x === 'number' && !Number.isNaN(x) ? x : I;");
      case 'literal': {
        this.fixedString(node.literal, scanning, 'literal');
        const c = this.constant(node.literal);
        // SameValueZero, as valibot compares.
        return this.define(`return x === ${c} || (Number.isNaN(x) && Number.isNaN(${c})) ? x : I;`);
      }
      case 'picklist': {
        const options = node.options ?? [];
        for (const option of options) this.fixedString(option, scanning, 'option');
        // A Set compares by SameValueZero, as valibot's includes().
        return this.define(`return ${this.constant(new Set(options))}.has(x) ? x : I;`);
      }
      case 'optional':
        if (node.wrapped === undefined || node.default !== undefined) return this.delegate(node, scanning);
        return this.define(`return x === undefined ? undefined : ${this.node(node.wrapped, scanning)}(x);`);
      case 'array': {
        if (node.item === undefined) return this.delegate(node, scanning);
        const item = this.node(node.item, scanning);
        return this.define(
          `if (!Array.isArray(x)) return I;\nconst o = [];\nfor (let i = 0; i < x.length; i++) { const v = ${item}(x[i]); if (v === I) return I; o.push(v); }\nreturn o;`,
        );
      }
      case 'strict_object':
        return node.entries === undefined ? this.delegate(node, scanning) : this.object(node, node.entries, scanning);
      case 'variant':
        return node.key === undefined || node.options === undefined
          ? this.delegate(node, scanning)
          : this.variant(node, node.key, node.options, scanning);
      default:
        return this.delegate(node, scanning);
    }
  }
}

export function compileSchema<S extends v.GenericSchema>(schema: S, options: CompileOptions = {}): CompiledSchema<S> {
  const generator = new Generator(options.addressCheck);
  const root = generator.node(schema as unknown as Node, false);
  const constants = generator.constants.map((_, i) => `const c${i} = c[${i}];`).join('\n');
  const source = `${constants}\n${generator.functions.join('\n')}\nreturn ${root};`;
  // The compiled checks, made once at startup from the schema's own nodes (see Generator).
  const build = new Function('c', 'I', 'CONFIG', source) as (c: unknown[], invalid: Invalid, config: unknown) => (input: unknown) => unknown;
  const parse = build(generator.constants, INVALID, CONFIG) as (input: unknown) => v.InferOutput<S> | Invalid;
  return { parse, delegated: generator.delegated };
}
