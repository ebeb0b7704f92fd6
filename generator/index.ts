/** The generator's public API (package export `spanwright/generator`). */
export { generate, resolveManifest, type GenerateOptions } from './generate';
export { main, USAGE, type CliIO } from './cli/main';
export { ManifestError, formatDiagnostics, codeFrame, type Diagnostic } from './diagnostics';
export { load, positionOf, type LoadedManifest } from './load';
export { validate, schemaPath } from './validate';
export { buildModel, DEFAULTS } from './model';
export { RUNTIME_PACKAGE, RUNTIME_GENERATED_ENTRY, sourceName, writeFiles, changedFiles, regenerateCommand, headerRegenerateCommand } from './files';
