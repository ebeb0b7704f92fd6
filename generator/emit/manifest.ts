/** generated/manifest.ts: the resolved ManifestModel as a literal, for the runtime. */
import type { ManifestModel } from '@spanwright/runtime';
import { header, normalize, propertyKey, str, type EmitContext } from './ts';

const INLINE_WIDTH = 100;

function isPrimitive(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

function primitive(value: unknown): string {
  if (typeof value === 'string') return str(value);
  if (value === undefined) return 'undefined';
  return JSON.stringify(value);
}

/** Renders plain data as a TypeScript literal; small flat objects and lists stay on one line. */
export function literal(value: unknown, indent = ''): string {
  if (isPrimitive(value)) return primitive(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every(isPrimitive)) {
      const flat = `[${value.map(primitive).join(', ')}]`;
      if (flat.length <= INLINE_WIDTH) return flat;
    }
    return `[\n${value.map((v) => `${inner}${literal(v, inner)},`).join('\n')}\n${indent}]`;
  }
  const fields = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (fields.length === 0) return '{}';
  if (fields.every(([, v]) => isPrimitive(v))) {
    const flat = `{ ${fields.map(([k, v]) => `${propertyKey(k)}: ${primitive(v)}`).join(', ')} }`;
    if (flat.length <= INLINE_WIDTH) return flat;
  }
  return `{\n${fields.map(([k, v]) => `${inner}${propertyKey(k)}: ${literal(v, inner)},`).join('\n')}\n${indent}}`;
}

/**
 * Plain data, so the file is written as text in one pass (no AST needed):
 * it is the largest generated file, and parsing it back would only cost time.
 */
export function emitManifest(model: ManifestModel, ctx: EmitContext): string {
  return normalize(
    [
      header(ctx),
      '',
      `import type { ManifestModel } from ${str(ctx.runtimeImport)};`,
      '',
      `/** ${ctx.source}, resolved: defaults applied, refs inlined, OpenTelemetry keys and TypeScript names worked out. */`,
      `export const manifest: ManifestModel = ${literal(model)};`,
    ].join('\n'),
  );
}
