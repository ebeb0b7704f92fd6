import { types } from './schema';
import type { LongLike, PbAnyValue, PbExportRequest, PbKeyValue, PbSpan } from './schema';
import type {
  AttributeType,
  AttributeTypes,
  AttributeValue,
  Attributes,
  Protocol,
  ReceivedSpan,
  SpanKindName,
  StatusCodeName,
} from './model';

/** A request body the receiver cannot accept; its message goes back to the sender (HTTP 400 / INVALID_ARGUMENT). */
export class DecodeError extends Error {
  override name = 'DecodeError';
}

/** Nesting allowed in attribute values (arrays and kvlists within each other). */
const MAX_VALUE_DEPTH = 32;

/** Decodes an OTLP/protobuf ExportTraceServiceRequest. */
export function decodeProtobuf(body: Uint8Array): PbExportRequest {
  try {
    return types.ExportTraceServiceRequest.decode(body) as unknown as PbExportRequest;
  } catch (err) {
    throw new DecodeError(`invalid protobuf ExportTraceServiceRequest: ${describe(err)}`);
  }
}

/**
 * Decodes an OTLP/JSON ExportTraceServiceRequest: lowerCamelCase keys, trace and span ids as hex,
 * enums as integers (names accepted too), 64-bit integers as decimal strings or numbers, bytes as base64.
 * Unknown keys are ignored, as the specification asks of receivers.
 */
export function decodeJson(body: Uint8Array | string): PbExportRequest {
  let text: string;
  try {
    text = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new DecodeError('invalid OTLP/JSON body: not valid UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new DecodeError(`invalid OTLP/JSON body: ${describe(err)}`);
  }
  if (!isObject(parsed)) {
    throw new DecodeError('invalid OTLP/JSON body: expected a JSON object (ExportTraceServiceRequest)');
  }
  try {
    prepareJsonRequest(parsed);
    const problem = types.ExportTraceServiceRequest.verify(parsed);
    if (problem) throw new DecodeError(`invalid OTLP/JSON body: ${problem}`);
    return types.ExportTraceServiceRequest.fromObject(parsed) as unknown as PbExportRequest;
  } catch (err) {
    if (err instanceof DecodeError) throw err;
    throw new DecodeError(`invalid OTLP/JSON body: ${describe(err)}`);
  }
}

/** Request-level facts every span of the request carries. */
export interface RequestMeta {
  protocol: Protocol;
  headers: Record<string, string>;
  requestId: number;
}

const KIND_NAMES: readonly SpanKindName[] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS_NAMES: readonly StatusCodeName[] = ['UNSET', 'OK', 'ERROR'];

/** Flattens a decoded request into spans, checking ids; throws DecodeError naming the offending span. */
export function normalizeRequest(request: PbExportRequest, meta: RequestMeta): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  request.resourceSpans.forEach((rs, i) => {
    const resourceAttrs = toAttributes(rs.resource?.attributes ?? [], `resourceSpans[${i}].resource`);
    const resource = {
      attributes: resourceAttrs.values,
      attributeTypes: resourceAttrs.types,
      droppedAttributesCount: rs.resource?.droppedAttributesCount ?? 0,
      schemaUrl: rs.schemaUrl,
    };
    const serviceName = typeof resource.attributes['service.name'] === 'string' ? resource.attributes['service.name'] : '';
    rs.scopeSpans.forEach((ss, j) => {
      const scope = {
        name: ss.scope?.name ?? '',
        version: ss.scope?.version ?? '',
        attributes: toAttributes(ss.scope?.attributes ?? [], `resourceSpans[${i}].scopeSpans[${j}].scope`).values,
        schemaUrl: ss.schemaUrl,
      };
      ss.spans.forEach((span, k) => {
        const where = `resourceSpans[${i}].scopeSpans[${j}].spans[${k}]`;
        out.push(toSpan(span, where, { resource, serviceName, scope, ...meta }));
      });
    });
  });
  return out;
}

type SpanContextPart = Pick<
  ReceivedSpan,
  'resource' | 'serviceName' | 'scope' | 'protocol' | 'headers' | 'requestId'
>;

function toSpan(span: PbSpan, where: string, context: SpanContextPart): ReceivedSpan {
  const attrs = toAttributes(span.attributes, where);
  return {
    traceId: hexOf(span.traceId, 16, `${where}.traceId`),
    spanId: hexOf(span.spanId, 8, `${where}.spanId`),
    parentSpanId: span.parentSpanId.length === 0 ? undefined : hexOf(span.parentSpanId, 8, `${where}.parentSpanId`),
    traceState: span.traceState,
    flags: span.flags,
    name: span.name,
    kind: KIND_NAMES[span.kind] ?? 'UNSPECIFIED',
    startTimeUnixNano: toBigInt(span.startTimeUnixNano),
    endTimeUnixNano: toBigInt(span.endTimeUnixNano),
    attributes: attrs.values,
    attributeTypes: attrs.types,
    droppedAttributesCount: span.droppedAttributesCount,
    events: span.events.map((event, n) => {
      const eventAttrs = toAttributes(event.attributes, `${where}.events[${n}]`);
      return {
        name: event.name,
        timeUnixNano: toBigInt(event.timeUnixNano),
        attributes: eventAttrs.values,
        attributeTypes: eventAttrs.types,
        droppedAttributesCount: event.droppedAttributesCount,
      };
    }),
    droppedEventsCount: span.droppedEventsCount,
    links: span.links.map((link, n) => {
      const linkAttrs = toAttributes(link.attributes, `${where}.links[${n}]`);
      return {
        traceId: hexOf(link.traceId, 16, `${where}.links[${n}].traceId`),
        spanId: hexOf(link.spanId, 8, `${where}.links[${n}].spanId`),
        traceState: link.traceState,
        flags: link.flags,
        attributes: linkAttrs.values,
        attributeTypes: linkAttrs.types,
        droppedAttributesCount: link.droppedAttributesCount,
      };
    }),
    droppedLinksCount: span.droppedLinksCount,
    status: {
      code: STATUS_NAMES[span.status?.code ?? 0] ?? 'UNSET',
      message: span.status?.message ?? '',
    },
    ...context,
  };
}

/** Converts OTLP key/values to plain values plus their wire types. */
export function toAttributes(list: readonly PbKeyValue[], where = ''): { values: Attributes; types: AttributeTypes } {
  const values: Attributes = {};
  const types: AttributeTypes = {};
  for (const [n, kv] of list.entries()) {
    const [value, type] = toValue(kv.value ?? undefined, 0, `${where}.attributes[${n}].value`);
    values[kv.key] = value;
    types[kv.key] = type;
  }
  return { values, types };
}

function toValue(any: PbAnyValue | undefined, depth: number, where: string): [AttributeValue, AttributeType] {
  if (depth > MAX_VALUE_DEPTH) throw new DecodeError(`${where}: attribute value nested deeper than ${MAX_VALUE_DEPTH} levels`);
  switch (any?.value) {
    case 'stringValue':
      return [any.stringValue ?? '', 'string'];
    case 'boolValue':
      return [any.boolValue ?? false, 'boolean'];
    case 'intValue': {
      const big = toBigInt(any.intValue ?? 0);
      const small = Number(big);
      return [Number.isSafeInteger(small) ? small : big, 'int'];
    }
    case 'doubleValue':
      return [any.doubleValue ?? 0, 'double'];
    case 'bytesValue':
      return [Uint8Array.from(any.bytesValue ?? []), 'bytes'];
    case 'arrayValue': {
      const items = (any.arrayValue?.values ?? []).map((v) => toValue(v, depth + 1, where));
      return [items.map(([v]) => v), arrayType(items.map(([, t]) => t))];
    }
    case 'kvlistValue': {
      const out: { [key: string]: AttributeValue } = {};
      for (const kv of any.kvlistValue?.values ?? []) out[kv.key] = toValue(kv.value ?? undefined, depth + 1, where)[0];
      return [out, 'kvlist'];
    }
    default:
      return [null, 'empty'];
  }
}

/** `int[]` when every (non-empty) element is an int, and so on; mixed, nested or empty arrays are `array`. */
function arrayType(elements: readonly AttributeType[]): AttributeType {
  const kinds = new Set(elements.filter((t) => t !== 'empty'));
  if (kinds.size !== 1) return 'array';
  const [only] = kinds;
  switch (only) {
    case 'string':
    case 'int':
    case 'double':
    case 'boolean':
      return `${only}[]`;
    default:
      return 'array';
  }
}

function hexOf(bytes: Uint8Array, length: number, where: string): string {
  if (bytes.length !== length) {
    throw new DecodeError(`${where}: expected ${length} bytes, got ${bytes.length}`);
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** int64 / fixed64 as protobufjs hands them out (a Long, or a number without `long`) to bigint. */
export function toBigInt(value: LongLike | number | bigint): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(value);
  const bits = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
  return value.unsigned ? bits : BigInt.asIntN(64, bits);
}

// ---- OTLP/JSON specifics, turned into what protobufjs' verify/fromObject expect ----

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Visits each element of a JSON array that must hold messages; a non-object element is an error. */
function eachObject(list: unknown, where: string, visit: (item: Json, index: number) => void): void {
  if (!Array.isArray(list)) return; // verify() reports a present non-array
  list.forEach((item, index) => {
    if (!isObject(item)) throw new DecodeError(`${where}[${index}]: expected an object, got ${jsonType(item)}`);
    visit(item, index);
  });
}

function jsonType(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

function prepareJsonRequest(request: Json): void {
  eachObject(request.resourceSpans, 'resourceSpans', (rs, i) => {
    const rsWhere = `resourceSpans[${i}]`;
    if (isObject(rs.resource)) prepareAttributes(rs.resource.attributes, `${rsWhere}.resource`);
    eachObject(rs.scopeSpans, `${rsWhere}.scopeSpans`, (ss, j) => {
      const ssWhere = `${rsWhere}.scopeSpans[${j}]`;
      if (isObject(ss.scope)) prepareAttributes(ss.scope.attributes, `${ssWhere}.scope`);
      eachObject(ss.spans, `${ssWhere}.spans`, (span, k) => prepareSpan(span, `${ssWhere}.spans[${k}]`));
    });
  });
}

function prepareSpan(span: Json, where: string): void {
  jsonId(span, 'traceId', 16, where);
  jsonId(span, 'spanId', 8, where);
  jsonId(span, 'parentSpanId', 8, where);
  jsonUint64(span, 'startTimeUnixNano', where);
  jsonUint64(span, 'endTimeUnixNano', where);
  jsonEnum(span, 'kind', types.SpanKind.values, where);
  if (isObject(span.status)) jsonEnum(span.status, 'code', types.StatusCode.values, `${where}.status`);
  prepareAttributes(span.attributes, where);
  eachObject(span.events, `${where}.events`, (event, n) => {
    jsonUint64(event, 'timeUnixNano', `${where}.events[${n}]`);
    prepareAttributes(event.attributes, `${where}.events[${n}]`);
  });
  eachObject(span.links, `${where}.links`, (link, n) => {
    jsonId(link, 'traceId', 16, `${where}.links[${n}]`);
    jsonId(link, 'spanId', 8, `${where}.links[${n}]`);
    prepareAttributes(link.attributes, `${where}.links[${n}]`);
  });
}

function prepareAttributes(list: unknown, where: string): void {
  eachObject(list, `${where}.attributes`, (kv, n) => {
    if (isObject(kv.value)) prepareValue(kv.value, `${where}.attributes[${n}].value`, 0);
  });
}

function prepareValue(value: Json, where: string, depth: number): void {
  if (depth > MAX_VALUE_DEPTH) {
    throw new DecodeError(`${where.slice(0, where.indexOf('.value') + 6)}: attribute value nested deeper than ${MAX_VALUE_DEPTH} levels`);
  }
  if (typeof value.intValue === 'string') value.intValue = parseInteger(value.intValue, false, `${where}.intValue`);
  if (isObject(value.arrayValue)) {
    eachObject(value.arrayValue.values, `${where}.arrayValue.values`, (v, n) =>
      prepareValue(v, `${where}.arrayValue.values[${n}]`, depth + 1),
    );
  }
  if (isObject(value.kvlistValue)) {
    eachObject(value.kvlistValue.values, `${where}.kvlistValue.values`, (kv, n) => {
      if (isObject(kv.value)) prepareValue(kv.value, `${where}.kvlistValue.values[${n}].value`, depth + 1);
    });
  }
}

/** OTLP/JSON ids are hex strings (not base64, unlike other bytes fields). */
function jsonId(holder: Json, key: string, length: number, where: string): void {
  const value = holder[key];
  if (typeof value !== 'string') return; // verify() reports other types
  if (value === '') {
    holder[key] = new Uint8Array(0);
    return;
  }
  if (value.length !== length * 2 || !/^[0-9a-fA-F]+$/.test(value)) {
    throw new DecodeError(`${where}.${key}: expected ${length * 2} hex digits, got ${JSON.stringify(clip(value))}`);
  }
  holder[key] = Buffer.from(value, 'hex');
}

function jsonUint64(holder: Json, key: string, where: string): void {
  const value = holder[key];
  if (typeof value === 'string') holder[key] = parseInteger(value, true, `${where}.${key}`);
}

function parseInteger(text: string, unsigned: boolean, where: string): LongLike {
  const pattern = unsigned ? /^\d{1,20}$/ : /^-?\d{1,19}$/;
  const big = pattern.test(text) ? BigInt(text) : undefined;
  const fits = big !== undefined && (unsigned ? BigInt.asUintN(64, big) === big : BigInt.asIntN(64, big) === big);
  if (!fits) {
    const kind = unsigned ? 'an unsigned' : 'a';
    throw new DecodeError(`${where}: expected ${kind} 64-bit integer, got ${JSON.stringify(clip(text))}`);
  }
  const bits = BigInt.asUintN(64, big);
  return { low: Number(bits & 0xffffffffn) | 0, high: Number(bits >> 32n) | 0, unsigned };
}

function jsonEnum(holder: Json, key: string, values: Record<string, number>, where: string): void {
  const value = holder[key];
  if (typeof value !== 'string') return;
  const number = values[value];
  if (number === undefined) throw new DecodeError(`${where}.${key}: unknown enum value ${JSON.stringify(clip(value))}`);
  holder[key] = number;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
