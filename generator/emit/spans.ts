/** generated/spans.ts: one typed helper, handle class and definition per span. */
import { StructureKind, VariableDeclarationKind, type StatementStructures } from 'ts-morph';
import type { EventModel, ManifestModel, SpanModel } from '@spanwright/runtime';
import { eventTypeName, pascalCase, RUNTIME_IMPORTS, SEED_API, spanTypeNames } from '../names';
import { attributeType, docText, eventAttributeMapper, header, jsDoc, printFile, propertyKey, spanAttributeMapper, str, type EmitContext } from './ts';

const KIND: Record<SpanModel['kind'], string> = {
  internal: 'SpanKind.INTERNAL',
  server: 'SpanKind.SERVER',
  client: 'SpanKind.CLIENT',
  producer: 'SpanKind.PRODUCER',
  consumer: 'SpanKind.CONSUMER',
};

const definitionName = (span: SpanModel): string => `${span.tsName}Definition`;
const eventConstName = (span: SpanModel, event: EventModel): string => `${span.tsName}${pascalCase(event.name)}Event`;

function attributesInterface(ctx: EmitContext, name: string, doc: string, attributes: SpanModel['attributes']): StatementStructures {
  return {
    kind: StructureKind.Interface,
    name,
    isExported: true,
    docs: [doc],
    properties: attributes.map((attr) => ({
      name: propertyKey(attr.tsName),
      type: attributeType(attr),
      isReadonly: true,
      hasQuestionToken: !attr.required,
      docs: [docText(ctx, attr.description, attr.location, attr.key)],
    })),
    // A span without attributes accepts none: any field would have to be `never`.
    indexSignatures: attributes.length === 0 ? [{ keyName: 'field', keyType: 'string', returnType: 'never', isReadonly: true }] : [],
  };
}

function eventStatements(ctx: EmitContext, span: SpanModel, event: EventModel): (string | StatementStructures)[] {
  const out: (string | StatementStructures)[] = [];
  if (event.attributes.length > 0) {
    out.push(
      attributesInterface(ctx, eventTypeName(span.name, event.name), `Attributes of event \`${event.name}\` of span \`${span.name}\`.`, event.attributes),
    );
  }
  const name = eventConstName(span, event);
  out.push(
    event.attributes.length === 0
      ? `const ${name}: EventDefinition = { name: ${str(event.name)} };`
      : [
          `const ${name}: EventDefinition<${eventTypeName(span.name, event.name)}> = {`,
          `  name: ${str(event.name)},`,
          `  attributes: ${eventAttributeMapper(event.attributes)},`,
          `};`,
        ].join('\n'),
  );
  return out;
}

function eventMethod(ctx: EmitContext, span: SpanModel, event: EventModel) {
  const hasAttributes = event.attributes.length > 0;
  const optional = event.attributes.every((a) => !a.required);
  return {
    name: event.tsName,
    docs: [docText(ctx, event.description, event.location, `event ${event.name}`)],
    parameters: hasAttributes
      ? [{ name: 'attributes', type: eventTypeName(span.name, event.name), hasQuestionToken: optional }]
      : [],
    returnType: 'void',
    statements: [`this.emitEvent(${eventConstName(span, event)}, ${hasAttributes ? 'attributes' : 'undefined'});`],
  };
}

function spanStatements(ctx: EmitContext, span: SpanModel): (string | StatementStructures)[] {
  const types = spanTypeNames(span.name);
  const out: (string | StatementStructures)[] = [
    attributesInterface(ctx, types.attributes, `Attributes of span \`${span.name}\`.`, span.attributes),
  ];
  for (const event of span.events) out.push(...eventStatements(ctx, span, event));
  out.push({
    kind: StructureKind.Class,
    name: types.handle,
    isExported: true,
    extends: `TypedSpan<${types.attributes}>`,
    docs: [`The handle of span \`${span.name}\`: typed setAttributes and one method per event.`],
    methods: span.events.map((event) => eventMethod(ctx, span, event)),
  });
  out.push(
    [
      `const ${definitionName(span)}: SpanDefinition<${types.handle}, ${types.attributes}> = {`,
      `  name: ${str(span.name)},`,
      `  kind: ${KIND[span.kind]},`,
      `  scope,`,
      `  attributes: ${spanAttributeMapper(span.attributes)},`,
      `  handle: ${types.handle},`,
      `};`,
    ].join('\n'),
  );
  return out;
}

function helper(ctx: EmitContext, span: SpanModel): string {
  const types = spanTypeNames(span.name);
  const doc = docText(ctx, span.description, span.location, `span ${span.name}, ${span.kind}`);
  const fn = `fn: (span: ${types.handle}) => R`;
  const signature = span.attributes.length > 0 ? `attributes: ${types.attributes}, ${fn}` : fn;
  const args = span.attributes.length > 0 ? 'attributes' : '{}';
  return [
    jsDoc(doc, '  '),
    `  ${propertyKey(span.tsName)}<R>(${signature}): R {`,
    `    return runSpan(${definitionName(span)}, ${args}, fn);`,
    `  },`,
  ].join('\n');
}

function usesReadonlyAttributes(model: ManifestModel): boolean {
  return model.spans.some((span) => span.events.some((event) => event.attributes.some((attr) => !attr.required)));
}

/** What spans.ts imports from the runtime: the names its code uses, all from RUNTIME_IMPORTS. */
function runtimeImports(model: ManifestModel): { name: string; isTypeOnly: boolean }[] {
  // Only event mappers with optional fields name ReadonlyAttributes.
  const unused = usesReadonlyAttributes(model) ? [] : ['ReadonlyAttributes'];
  return Object.entries(RUNTIME_IMPORTS)
    .filter(([name]) => !unused.includes(name))
    .map(([name, kind]) => ({ name, isTypeOnly: kind === 'type' }));
}

export function emitSpans(model: ManifestModel, ctx: EmitContext): string {
  const statements: (string | StatementStructures)[] = [];
  for (const span of model.spans) statements.push(...spanStatements(ctx, span));
  return printFile([
    header(ctx),
    {
      kind: StructureKind.ImportDeclaration,
      moduleSpecifier: ctx.runtimeImport,
      namedImports: runtimeImports(model),
    },
    {
      kind: StructureKind.ExportDeclaration,
      moduleSpecifier: ctx.runtimeImport,
      namedExports: [...SEED_API],
      leadingTrivia: '/** The untyped seed-style API, for code without a manifest entry yet; the helpers below are preferred. */\n',
    },
    {
      kind: StructureKind.VariableStatement,
      declarationKind: VariableDeclarationKind.Const,
      docs: ['The instrumentation scope of every helper: the manifest\'s service name.'],
      declarations: [{ name: 'scope', initializer: str(model.service.name) }],
    },
    ...statements,
    [
      `/** One typed helper per span declared in ${ctx.source}: \`spans.<name>(attributes, fn)\`. */`,
      `export const spans = {`,
      ...model.spans.map((span) => helper(ctx, span)),
      `};`,
    ].join('\n'),
  ]);
}
