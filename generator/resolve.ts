/**
 * The pipeline up to the model: load → validate → model, nothing emitted. What only reads a
 * manifest (dev, live-check, diff, docs) uses this alone, so it never loads the emitters and ts-morph.
 */
import type { ManifestModel } from '@spanwright/runtime';
import { ManifestError, sortDiagnostics } from './diagnostics';
import { load } from './load';
import { buildModel } from './model';
import { validate } from './validate';

export interface ResolveOptions {
  /** How the manifest is named in errors (path as the user gave it). Default: `tracing.yaml`. */
  readonly file?: string;
  /** How the manifest is named in `manifest.source` (and the generated headers). Default: `file`. */
  readonly source?: string;
}

/** Parses and checks the manifest; returns the resolved model or throws ManifestError. */
export function resolveManifest(text: string, options: ResolveOptions = {}): ManifestModel {
  const file = options.file ?? 'tracing.yaml';
  const loaded = load(text);
  if (loaded.diagnostics.length > 0) throw new ManifestError(file, sortDiagnostics(loaded.diagnostics), text);
  const problems = validate(loaded);
  if (problems.length > 0) throw new ManifestError(file, sortDiagnostics(problems), text);
  return buildModel(loaded, options.source ?? file);
}
