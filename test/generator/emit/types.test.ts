/**
 * Type tests. test/generator/emit/types/usage.ts must compile; in test/generator/emit/types/misuse.ts every
 * line under `// @ts-expect-error misuse: <case>` must fail to compile, and
 * for the reason expected (not, say, a typo in the test). The directives are
 * blanked out and the file compiled through the TypeScript API.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '..', '..', '..');
const USAGE = join(__dirname, 'types', 'usage.ts');
const MISUSE = join(__dirname, 'types', 'misuse.ts');
const DIRECTIVE = /\/\/ @ts-expect-error misuse: ([a-z-]+)/;

/** What the compiler must say about each misuse: the error code and a fragment of its message. */
const EXPECTED: Record<string, { code: number; text: string }> = {
  'unknown-key': { code: 2561, text: "'playerCnt' does not exist in type 'CalculatePredictionAttributes'" },
  'wrong-type': { code: 2322, text: "Type 'string' is not assignable to type 'number'" },
  'missing-required': { code: 2345, text: "Property 'playerCount' is missing" },
  'bad-enum': { code: 2322, text: `Type '"nhl"' is not assignable to type '"nba" | "nfl" | "mlb"'` },
  'wrong-array': { code: 2322, text: "Type 'string' is not assignable to type 'readonly string[]'" },
  'no-attributes': { code: 2554, text: 'Expected 1 arguments, but got 2' },
  'undeclared-event': { code: 2339, text: "Property 'playerScored' does not exist on type 'CalculatePredictionSpan'" },
  'wrong-event-attribute': { code: 2561, text: "'confidance' does not exist in type 'CalculatePredictionPredictionGeneratedEventAttributes'" },
  'wrong-event-type': { code: 2322, text: "Type 'string' is not assignable to type 'number'" },
  'missing-event-required': { code: 2345, text: "Property 'confidence' is missing" },
  'unknown-set-key': { code: 2561, text: "'playerCnt' does not exist in type 'Partial<CalculatePredictionAttributes>'" },
  'other-span-key': { code: 2353, text: "'route' does not exist in type 'Partial<CalculatePredictionAttributes>'" },
  'event-without-attributes': { code: 2554, text: 'Expected 0 arguments, but got 1' },
  'undeclared-span': { code: 2551, text: "Property 'calculatePredictions' does not exist" },
};

function compilerOptions(): ts.CompilerOptions {
  const configFile = ts.readConfigFile(join(ROOT, 'tsconfig.json'), (f) => ts.sys.readFile(f));
  const parsed = ts.parseJsonConfigFileContent(configFile.config, ts.sys, ROOT);
  return { ...parsed.options, noEmit: true };
}

/** Diagnostics of `file` when compiled with `text` in place of its content. */
function diagnosticsOf(file: string, text: string): ts.Diagnostic[] {
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, onError, shouldCreate) =>
    resolve(name) === file ? ts.createSourceFile(name, text, language, true) : getSourceFile(name, language, onError, shouldCreate);
  const program = ts.createProgram([file], options, host);
  const source = program.getSourceFile(file)!;
  return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
}

const lineOf = (d: ts.Diagnostic): number => d.file!.getLineAndCharacterOfPosition(d.start!).line + 1;
const messageOf = (d: ts.Diagnostic): string => ts.flattenDiagnosticMessageText(d.messageText, '\n');

describe('type tests (test/generator/emit/types)', function () {
  this.timeout(60000);

  it('usage.ts compiles under strict', function () {
    const errors = diagnosticsOf(USAGE, readFileSync(USAGE, 'utf8'));
    expect(errors.map((d) => `${lineOf(d)}: ${messageOf(d)}`)).to.deep.equal([]);
  });

  it('every misuse in misuse.ts fails to compile, for the expected reason', function () {
    const lines = readFileSync(MISUSE, 'utf8').split('\n');
    const cases = new Map<number, string>(); // line (1-based) of the misuse → case
    const blanked = lines.map((line, i) => {
      const match = DIRECTIVE.exec(line);
      if (match === null) return line;
      cases.set(i + 2, match[1]!);
      return line.replace(DIRECTIVE, '//');
    });
    expect([...cases.values()].sort()).to.deep.equal(Object.keys(EXPECTED).sort());

    const errors = diagnosticsOf(MISUSE, blanked.join('\n'));
    for (const [line, name] of cases) {
      const here = errors.filter((d) => lineOf(d) === line);
      const { code, text } = EXPECTED[name]!;
      expect(
        here.some((d) => d.code === code && messageOf(d).includes(text)),
        `${name} (misuse.ts:${line}) should fail with TS${code} "${text}", got: ${here.map((d) => `TS${d.code} ${messageOf(d)}`).join(' | ') || 'no error'}`,
      ).to.equal(true);
    }
    const elsewhere = errors.filter((d) => !cases.has(lineOf(d)));
    expect(elsewhere.map((d) => `${lineOf(d)}: ${messageOf(d)}`), 'errors on lines not marked as misuse').to.deep.equal([]);
  });
});
