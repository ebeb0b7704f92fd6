/**
 * `@spanwright/runtime/generated`: what `spanwright gen`'s output imports, and nothing else. The
 * helper core (`runSpan`, `TypedSpan`, the definitions), `startTracing` for bootstrap.ts, the
 * manifest's type for manifest.ts, and the seed-style API that spans.ts re-exports.
 */
import { runSpan as runSpanCore } from './helpers/span-core';
/**
 * A plain property, not a re-export: TypeScript compiles `export { x } from`
 * to a getter, and generated helpers read this one on every call.
 */
export const runSpan = runSpanCore;
export {
  TypedSpan,
  SpanKind,
  type SpanDefinition,
  type EventDefinition,
  type AttributeMapper,
  type ReadonlyAttributes,
} from './helpers/span-core';
export { startTracing } from './sdk/start';
export type { ManifestModel } from './manifest/model';
/** The seed-style API, which spans.ts re-exports. */
export * from './helpers/seed-api';
