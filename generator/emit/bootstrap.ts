/** generated/bootstrap.ts: loaded first (`node --require`/`--import`), starts tracing from the manifest. */
import { StructureKind } from 'ts-morph';
import { header, printFile, type EmitContext } from './ts';

export function emitBootstrap(ctx: EmitContext): string {
  return printFile([
    header(ctx),
    {
      kind: StructureKind.ImportDeclaration,
      moduleSpecifier: ctx.runtimeImport,
      namedImports: ['startTracing'],
    },
    { kind: StructureKind.ImportDeclaration, moduleSpecifier: './manifest.js', namedImports: ['manifest'] },
    [
      '/** Tracing as the manifest and the environment configure it; started before the service loads. */',
      'export const tracing = startTracing(manifest);',
      '',
      '/** Flushes pending spans and stops the SDK. */',
      'export const shutdown = (): Promise<void> => tracing.shutdown();',
    ].join('\n'),
  ]);
}
