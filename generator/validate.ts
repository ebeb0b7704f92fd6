/**
 * Stage 2: is the manifest valid? First the JSON Schema (ajv), with ajv's
 * errors rewritten into sentences that name the declaration, then the checks
 * a schema cannot express (refs, name collisions, OpenTelemetry keys, enums).
 * Every problem is returned, each at its line and column.
 */
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INSTRUMENTATIONS, type InstrumentationDefinition } from '@spanwright/runtime';
import { quote, type Diagnostic } from './diagnostics';
import { withInstrumentations } from './instrumentation-schema';
import { positionOf, type LoadedManifest } from './load';
import { DEFAULTS } from './model';
import {
  camelCase,
  closest,
  eventTypeName,
  HANDLE_MEMBERS,
  OTEL_KEY,
  RUNTIME_IMPORTS,
  spanTypeNames,
  Suggestions,
  toSnakeCase,
} from './names';

type Path = readonly (string | number)[];

let compiled: ReturnType<Ajv2020['compile']> | undefined;

function schemaValidator(): ReturnType<Ajv2020['compile']> {
  compiled ??= compileSchema();
  return compiled;
}

/** The manifest schema as validated: schema/ with the `instrumentation` properties of `definitions` (the registry). */
export function compileSchema(definitions: readonly InstrumentationDefinition[] = INSTRUMENTATIONS): ReturnType<Ajv2020['compile']> {
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
  return ajv.compile(withInstrumentations(JSON.parse(readFileSync(schemaPath(), 'utf8')) as Record<string, unknown>, definitions));
}

/** schema/ sits next to generator/ in the source tree and next to dist/ once built. */
export function schemaPath(): string {
  for (const up of ['..', '../..']) {
    const candidate = join(__dirname, up, 'schema', 'tracing.schema.json');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('spanwright: schema/tracing.schema.json not found next to the generator');
}

export function validate(loaded: LoadedManifest): Diagnostic[] {
  const validator = schemaValidator();
  const diagnostics: Diagnostic[] = [];
  if (!validator(loaded.data)) {
    for (const error of validator.errors ?? []) {
      const d = schemaDiagnostic(loaded, error);
      if (d !== undefined) diagnostics.push(d);
    }
  }
  diagnostics.push(...semanticDiagnostics(loaded));
  return diagnostics;
}

// ---------------------------------------------------------------- schema errors

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** How a message names the declaration at `path` (`span "x"`, `attribute "a" of span "x"`, …), if it is one. */
function declaration(path: Path): string | undefined {
  const p = path.map(String);
  const [top, name, sub, subName, sub2, sub2Name] = p;
  if (p.length === 0) return 'the manifest';
  if (top === 'spans' && p.length >= 2) {
    const span = `span ${quote(name)}`;
    if (p.length === 2) return span;
    if (sub === 'attributes' && p.length === 4) return `attribute ${quote(subName)} of ${span}`;
    if (sub === 'events' && p.length === 4) return `event ${quote(subName)} of ${span}`;
    if (sub === 'events' && sub2 === 'attributes' && p.length === 6)
      return `attribute ${quote(sub2Name)} of event ${quote(subName)} of ${span}`;
  }
  if (top === 'attributes' && p.length === 2) return `shared attribute ${quote(name)}`;
  if (top === 'environments' && p.length === 2) return `environment ${quote(name)}`;
  if (top === 'environments' && sub === 'rules' && p.length === 4)
    return `rule ${Number(subName) + 1} of environment ${quote(name)}`;
  if (top === 'peers' && p.length === 2) return `peer ${quote(name)}`;
  if (top === 'instrumentation' && p.length === 2) return `instrumentation ${quote(name)}`;
  return undefined;
}

/** How a message names the thing at `path`: a declaration, a top-level block, or a dotted path. */
export function describe(path: Path): string {
  return declaration(path) ?? path.map(String).join('.');
}

/** `"kind" of span "x"`, or `parents[0] of span "x"`, or `span "x"` for whole declarations. */
function describeField(path: Path): string {
  const whole = declaration(path);
  if (whole !== undefined) return whole;
  const last = path[path.length - 1]!;
  const parent = path.slice(0, -1);
  if (typeof last === 'number' || /^\d+$/.test(String(last))) {
    const listName = parent[parent.length - 1];
    const owner = parent.slice(0, -1);
    return `${String(listName)}[${String(last)}]${owner.length > 0 ? ` of ${describe(owner)}` : ''}`;
  }
  if (parent.length === 0) return quote(String(last));
  return `${quote(String(last))} of ${describe(parent)}`;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  null: 'empty',
};

function typeWords(type: unknown): string {
  const types = Array.isArray(type) ? type.map(String) : [String(type)];
  const words = types.length === 1 ? types.map((t) => TYPE_WORDS[t] ?? t) : types.flatMap((t) => (t === 'boolean' ? ['true', 'false'] : [TYPE_WORDS[t] ?? t]));
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/** Type names people reach for out of habit, and the manifest's word for them. */
const TYPE_ALIASES: Record<string, string> = {
  integer: 'int',
  long: 'int',
  number: 'double',
  float: 'double',
  bool: 'boolean',
  str: 'string',
};

function valueWords(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return quote(value);
  return String(value);
}

/** What a propertyNames pattern means for each kind of map. */
function nameRule(path: Path, name: string): string {
  const top = path[0];
  const last = path[path.length - 1];
  if (top === 'environments') return `environment name ${quote(name)} must be lower case letters, digits, "_" and "-"`;
  if (top === 'peers') return `peer name ${quote(name)} must be lower case letters, digits, ".", "_" and "-"`;
  const suggestion = toSnakeCase(name);
  const hint = suggestion !== '' && suggestion !== name ? ` (e.g. ${quote(suggestion)})` : '';
  const what =
    path.length === 1 && top === 'spans'
      ? 'span name'
      : path.length === 1 && top === 'attributes'
        ? 'shared attribute name'
        : last === 'events'
          ? `event name`
          : 'attribute name';
  const owner = path.length > 1 ? ` in ${describe(path.slice(0, -1))}` : '';
  return `${what} ${quote(name)}${owner} must be snake_case${hint}`;
}

function schemaDiagnostic(loaded: LoadedManifest, error: ErrorObject): Diagnostic | undefined {
  const path = parsePointer(error.instancePath);
  const at = (p: Path, key = false): Diagnostic & { message: string } => ({ ...positionOf(loaded, p, { key }), message: '' });
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'propertyNames':
      return undefined; // reported by the inner error, which carries propertyName
    case 'pattern': {
      if (error.propertyName !== undefined) {
        return { ...at([...path, error.propertyName], true), message: nameRule(path, error.propertyName) };
      }
      const field = String(path[path.length - 1]);
      const rule =
        field === 'attributePrefix'
          ? 'must be lower-case words joined by "." and "_" (e.g. app)'
          : String(error.schema) === '^/'
            ? 'must start with "/"'
            : `must match ${String(error.schema)}`;
      return { ...at(path), message: `${describeField(path)} ${rule}, got ${valueWords(error.data)}` };
    }
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const guess = closest(name, allowed);
      const hint = guess !== undefined ? `did you mean ${quote(guess)}? ` : '';
      const list = allowed.length > 0 ? ` (${hint}allowed: ${allowed.join(', ')})` : ' (it takes no options; use true)';
      return { ...at([...path, name], true), message: `unknown field ${quote(name)} in ${describe(path)}${list}` };
    }
    case 'required': {
      const missing = String(params.missingProperty);
      const where = path.length === 0 ? '' : ` in ${describe(path)}`;
      return { ...at(path, path.length > 0), message: `missing required field ${quote(missing)}${where}` };
    }
    case 'type':
      if (path.length === 0 && (error.data === null || error.data === undefined))
        return { line: 1, col: 1, message: 'the manifest is empty; it needs at least "version" and "service"' };
      return { ...at(path), message: `${describeField(path)} must be ${typeWords(params.type)}, got ${valueWords(error.data)}` };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const guess = typeof error.data === 'string' ? (TYPE_ALIASES[error.data] ?? closest(error.data, allowed)) : undefined;
      const hint = guess !== undefined ? ` (did you mean ${quote(guess)}?)` : '';
      return {
        ...at(path),
        message: `${describeField(path)} must be one of ${allowed.join(', ')}; got ${valueWords(error.data)}${hint}`,
      };
    }
    case 'const':
      return { ...at(path), message: `${describeField(path)} must be ${JSON.stringify(params.allowedValue)}, got ${valueWords(error.data)}` };
    case 'minimum':
    case 'maximum': {
      const field = String(path[path.length - 1]);
      const rule = field === 'sampling' ? 'must be between 0 and 1' : `must be ${error.keyword === 'minimum' ? 'at least' : 'at most'} ${String(params.limit)}`;
      return { ...at(path), message: `${describeField(path)} ${rule}, got ${valueWords(error.data)}` };
    }
    case 'minLength':
      return { ...at(path), message: `${describeField(path)} must not be empty` };
    case 'uniqueItems': {
      // ajv reports the later duplicate as `i`; point at it.
      const later = Math.max(Number(params.i), Number(params.j));
      const item = Array.isArray(error.data) ? error.data[later] : undefined;
      return { ...at([...path, later]), message: `${describeField(path)} lists ${valueWords(item)} twice` };
    }
    default:
      return { ...at(path), message: `${describeField(path)} ${error.message ?? 'is invalid'}` };
  }
}

// -------------------------------------------------------------- semantic checks

type Rec = Record<string, unknown>;

function isRecord(value: unknown): value is Rec {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function entries(value: unknown): [string, unknown][] {
  return isRecord(value) ? Object.entries(value) : [];
}

/** Tracks names that must be unique; reports the second declaration. */
class NameTable {
  private readonly seen = new Map<string, string>();
  constructor(
    private readonly report: (path: Path, message: string) => void,
    reserved: Iterable<[string, string]> = [],
  ) {
    for (const [name, owner] of reserved) this.seen.set(name, owner);
  }
  /** Claims `name` for `owner`; false (and reported) when it was taken. */
  claim(name: string, owner: string, path: Path, what: (first: string) => string): boolean {
    const first = this.seen.get(name);
    if (first === undefined) {
      this.seen.set(name, owner);
      return true;
    }
    this.report(path, what(first));
    return false;
  }
}

function semanticDiagnostics(loaded: LoadedManifest): Diagnostic[] {
  const out: Diagnostic[] = [];
  const data = loaded.data;
  if (!isRecord(data)) return out; // the schema reports it
  const report = (path: Path, message: string, key = true): void => {
    out.push({ ...positionOf(loaded, path, { key }), message });
  };
  const service = isRecord(data.service) ? data.service : {};
  const prefix = typeof service.attributePrefix === 'string' ? service.attributePrefix : DEFAULTS.attributePrefix;
  const shared = isRecord(data.attributes) ? data.attributes : {};
  const sharedNames = Object.keys(shared);
  const sharedSuggestions = new Suggestions(sharedNames);

  /** Checks one attribute declaration; returns its OpenTelemetry key when known. */
  const checkAttribute = (path: Path, name: string, attr: unknown, isShared: boolean): string | undefined => {
    if (!isRecord(attr)) return undefined;
    const what = describe(path);
    let key: string | undefined;
    if (attr.ref !== undefined) {
      if (isShared) {
        report([...path, 'ref'], `${what} cannot use "ref"; shared attributes declare a "type"`);
        return undefined;
      }
      for (const field of ['type', 'values', 'key']) {
        if (attr[field] !== undefined)
          report([...path, field], `${what} takes its ${field} from ref ${quote(String(attr.ref))}; remove ${quote(field)}`);
      }
      if (typeof attr.ref === 'string') {
        const target = shared[attr.ref];
        if (!Object.hasOwn(shared, attr.ref)) {
          const guess = sharedSuggestions.closest(attr.ref);
          const known = sharedNames.length > 0 ? `declared: ${sharedNames.join(', ')}` : 'there are no shared attributes';
          report(
            [...path, 'ref'],
            `ref ${quote(attr.ref)} of ${what} is not a shared attribute (${guess !== undefined ? `did you mean ${quote(guess)}? ` : ''}${known})`,
            false,
          );
        } else if (isRecord(target)) {
          key = typeof target.key === 'string' ? target.key : `${prefix}.${attr.ref}`;
        }
      }
      return key;
    }
    if (attr.type === undefined) {
      report(path, `${what} needs a "type" (or a "ref" to a shared attribute)`);
      return undefined;
    }
    if (attr.type === 'enum') {
      const values = attr.values;
      if (values === undefined) report(path, `enum ${what} needs "values", a list of at least one value`);
      else if (Array.isArray(values)) {
        if (values.length === 0) report([...path, 'values'], `enum ${what} needs at least one value in "values"`, false);
        const seen = new Set<unknown>();
        values.forEach((v, i) => {
          if (seen.has(v)) report([...path, 'values', i], `enum ${what} lists value ${quote(String(v))} twice`, false);
          seen.add(v);
        });
      }
    } else if (attr.values !== undefined && typeof attr.type === 'string') {
      report([...path, 'values'], `"values" is only allowed with type enum; ${what} has type ${attr.type}`);
    }
    if (attr.key !== undefined) {
      if (typeof attr.key === 'string' && !OTEL_KEY.test(attr.key)) {
        report(
          [...path, 'key'],
          `key ${quote(attr.key)} of ${what} is not a valid OpenTelemetry attribute name (lower-case words joined by "." and "_", e.g. http.route)`,
          false,
        );
      } else if (typeof attr.key === 'string') key = attr.key;
    } else {
      key = `${prefix}.${name}`;
    }
    return key;
  };

  /** Attributes of one span or event: TS field names and OpenTelemetry keys unique. */
  const checkAttributeSet = (ownerPath: Path, attributes: unknown): void => {
    const fields = new NameTable(report);
    const keys = new NameTable(report);
    for (const [name, attr] of entries(attributes)) {
      const path = [...ownerPath, 'attributes', name];
      const key = checkAttribute(path, name, attr, false);
      fields.claim(camelCase(name), name, path, (first) => `attribute ${quote(name)} and attribute ${quote(first)} of ${describe(ownerPath)} both become the TypeScript field ${quote(camelCase(name))}; rename one`);
      if (key !== undefined)
        keys.claim(key, name, path, (first) => `attribute ${quote(name)} and attribute ${quote(first)} of ${describe(ownerPath)} both have the OpenTelemetry key ${quote(key)}`);
    }
  };

  for (const [name, attr] of entries(data.attributes)) checkAttribute(['attributes', name], name, attr, true);

  const spans = isRecord(data.spans) ? data.spans : {};
  const spanSuggestions = new Suggestions(Object.keys(spans));
  const helpers = new NameTable(report);
  const typeNames = new NameTable(
    report,
    Object.keys(RUNTIME_IMPORTS).map((n): [string, string] => [n, 'the runtime import']),
  );
  for (const [spanName, span] of Object.entries(spans)) {
    const spanPath = ['spans', spanName];
    const tsName = camelCase(spanName);
    // One collision, one message: types are only checked for a helper name that is free.
    const helperFree = helpers.claim(tsName, spanName, spanPath, (first) => `span ${quote(spanName)} and span ${quote(first)} both become the helper spans.${tsName}; rename one`);
    const types = spanTypeNames(spanName);
    for (const typeName of helperFree ? [types.attributes, types.handle] : []) {
      typeNames.claim(typeName, `span ${quote(spanName)}`, spanPath, (first) => `span ${quote(spanName)} generates the TypeScript name ${typeName}, already used by ${first}; rename it`);
    }
    if (!isRecord(span)) continue;
    checkAttributeSet(spanPath, span.attributes);
    const methods = new NameTable(report);
    for (const [eventName, event] of entries(span.events)) {
      const eventPath = [...spanPath, 'events', eventName];
      const method = camelCase(eventName);
      if (HANDLE_MEMBERS.has(method)) {
        report(eventPath, `event ${quote(eventName)} of span ${quote(spanName)} would become the method ${method}, which span handles already have; rename the event`);
        continue;
      }
      if (!methods.claim(method, eventName, eventPath, (first) => `event ${quote(eventName)} and event ${quote(first)} of span ${quote(spanName)} both become the method ${method}(); rename one`))
        continue;
      const eventType = eventTypeName(spanName, eventName);
      typeNames.claim(eventType, `event ${quote(eventName)} of span ${quote(spanName)}`, eventPath, (first) => `event ${quote(eventName)} of span ${quote(spanName)} generates the TypeScript name ${eventType}, already used by ${first}; rename it`);
      if (isRecord(event)) checkAttributeSet(eventPath, event.attributes);
    }
    if (Array.isArray(span.parents)) {
      span.parents.forEach((parent, i) => {
        if (typeof parent !== 'string' || Object.hasOwn(spans, parent)) return;
        const guess = spanSuggestions.closest(parent);
        report([...spanPath, 'parents', i], `parent ${quote(parent)} of span ${quote(spanName)} is not a declared span${guess !== undefined ? ` (did you mean ${quote(guess)}?)` : ''}`, false);
      });
    }
  }
  return out;
}
