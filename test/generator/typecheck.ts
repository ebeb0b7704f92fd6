/**
 * Type-checks generated files without writing them: one TypeScript program over any
 * number of generated sets, each in a virtual directory next to the real runtime/.
 */
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { generate, type GenerateOptions } from '../../generator';

const ROOT = resolve(__dirname, '..', '..');

function compilerOptions(): ts.CompilerOptions {
  const configFile = ts.readConfigFile(join(ROOT, 'tsconfig.json'), (f) => ts.sys.readFile(f));
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, ROOT);
  return { ...parsed.options, strict: true, noEmit: true, skipLibCheck: true };
}

/** Where set `i` lives: a directory of its own under the repository, so `../../runtime` resolves. */
function setDir(i: number): string {
  return join(ROOT, '.typecheck', `set${i}`, 'generated');
}

/** Generates `text` as `spanwright gen` would into a directory two levels under the repository. */
export function generateForTypecheck(text: string, options: GenerateOptions = {}): Map<string, string> {
  return generate(text, { runtimeImport: '../../../runtime/generated', ...options });
}

/** Compiler errors of each set of generated files (name → text), as `file(line): message` lines. */
export function typecheck(sets: readonly ReadonlyMap<string, string>[]): string[][] {
  const files = new Map<string, string>();
  sets.forEach((set, i) => {
    for (const [name, text] of set) if (name.endsWith('.ts')) files.set(join(setDir(i), name), text);
  });
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, onError, shouldCreate) => {
    const text = files.get(resolve(name));
    return text !== undefined ? ts.createSourceFile(name, text, language, true) : getSourceFile(name, language, onError, shouldCreate);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => files.has(resolve(name)) || fileExists(name);
  const dirs = new Set([...files.keys()].flatMap((f) => [dirname(f), dirname(dirname(f))]));
  const directoryExists = host.directoryExists?.bind(host);
  host.directoryExists = (name) => dirs.has(resolve(name)) || (directoryExists?.(name) ?? false);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => files.get(resolve(name)) ?? readFile(name);
  const program = ts.createProgram([...files.keys()], options, host);
  const out: string[][] = sets.map(() => []);
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const file = d.file !== undefined ? resolve(d.file.fileName) : '';
    const set = sets.findIndex((_, i) => file.startsWith(`${setDir(i)}/`));
    const where = d.file !== undefined && d.start !== undefined ? `${file.slice(setDir(set).length + 1)}(${d.file.getLineAndCharacterOfPosition(d.start).line + 1})` : '';
    const line = `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    if (set >= 0) out[set]!.push(line);
    else out.forEach((o) => o.push(line));
  }
  return out;
}
