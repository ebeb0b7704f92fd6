/**
 * The pipeline without I/O: manifest text in, generated files out.
 * load → validate → model → emit. Throws ManifestError with every problem.
 */
import { DOCS_FILE, renderDocs } from './emit/tracing-md';
import { emitBootstrap, emitManifest, emitSpans, type EmitContext } from './emit';
import { commentText } from './emit/ts';
import { RUNTIME_GENERATED_ENTRY } from './files';
import { resolveManifest, type ResolveOptions } from './resolve';

export { resolveManifest };

export interface GenerateOptions extends ResolveOptions {
  /** Module the generated files import the runtime from. Default: `@spanwright/runtime/generated`. */
  readonly runtimeImport?: string;
  /** The command the headers say regenerates the files. Default: `npx spanwright gen`. */
  readonly regenerate?: string;
}

/** Generated file name (relative to the output directory) → its text. Sorted by name. */
export function generate(text: string, options: GenerateOptions = {}): Map<string, string> {
  const model = resolveManifest(text, options);
  const ctx: EmitContext = {
    // Headers and JSDoc name the manifest inside comments; a path may hold `*/` or a newline.
    source: commentText(model.source),
    runtimeImport: options.runtimeImport ?? RUNTIME_GENERATED_ENTRY,
    regenerate: options.regenerate ?? 'npx spanwright gen',
  };
  return new Map([
    // TRACING.md: the manifest as documentation (generator/emit/tracing-md.ts), written and --check'ed like the code.
    [DOCS_FILE, renderDocs(model)],
    ['bootstrap.ts', emitBootstrap(ctx)],
    ['manifest.ts', emitManifest(model, ctx)],
    ['spans.ts', emitSpans(model, ctx)],
  ]);
}
