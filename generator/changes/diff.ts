/**
 * `spanwright diff`: what changed between two manifests, at span, attribute and
 * event level, and which changes break what relies on the old one (dashboards,
 * alerts and queries on span names and keys; call sites of the helpers).
 * `diffManifests` is pure; cli/diff.ts is the CLI around it.
 */
import type { AttributeModel, EventModel, ManifestModel, SpanModel } from '@spanwright/runtime';

export type ChangeLevel = 'span' | 'attribute' | 'event';
export type ChangeKind = 'added' | 'removed' | 'renamed' | 'changed';

export interface Change {
  readonly level: ChangeLevel;
  /**
   * Where, in the new manifest's terms (the old one's for a removal):
   * `spans.<span>`, `spans.<span>.attributes.<attr>`, `spans.<span>.events.<event>`,
   * `spans.<span>.events.<event>.attributes.<attr>`.
   */
  readonly path: string;
  readonly kind: ChangeKind;
  /** Whether what relies on the old manifest stops working. */
  readonly breaking: boolean;
  /** One sentence naming the span, event and attribute. */
  readonly message: string;
}

/** A declaration of both manifests, paired by name or by `renamed_from`. */
export interface Paired<T> {
  readonly old: T;
  readonly new: T;
  readonly renamed: boolean;
}

export interface MatchResult<T> {
  readonly pairs: readonly Paired<T>[];
  readonly added: readonly T[];
  readonly removed: readonly T[];
}

/** Spans, attributes and events: each may carry `renamedFrom`. */
type Renameable = { readonly name: string; readonly renamedFrom?: string };

const byName = <T extends { readonly name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Pairs the old declarations with the new: same name first, then a new one
 * whose `renamedFrom` names an old one left unpaired. Sorted by name.
 */
export function matchByName<T extends { readonly name: string }>(olds: readonly T[], news: readonly T[]): MatchResult<T> {
  const oldByName = new Map(olds.map((item) => [item.name, item]));
  const newNames = new Set(news.map((item) => item.name));
  const claimed = new Set<string>();
  const pairs: Paired<T>[] = [];
  const added: T[] = [];
  for (const item of [...news].sort(byName)) {
    const same = oldByName.get(item.name);
    if (same !== undefined) {
      pairs.push({ old: same, new: item, renamed: false });
      claimed.add(same.name);
    }
  }
  for (const item of [...news].sort(byName)) {
    if (oldByName.has(item.name)) continue;
    const from = (item as Renameable).renamedFrom;
    const previous = from === undefined ? undefined : oldByName.get(from);
    if (previous !== undefined && !claimed.has(previous.name) && !newNames.has(previous.name)) {
      pairs.push({ old: previous, new: item, renamed: true });
      claimed.add(previous.name);
    } else {
      added.push(item);
    }
  }
  pairs.sort((a, b) => byName(a.new, b.new));
  const removed = [...olds].filter((item) => !claimed.has(item.name)).sort(byName);
  return { pairs, added, removed };
}

/**
 * Every change from `oldManifest` to `newManifest`, in a stable order (by
 * span, then its attributes, then its events). Breaking: a removed or renamed
 * span, attribute or event; a changed span kind, attribute type or key; an
 * attribute made required, or added as required; an enum value removed.
 */
export function diffManifests(oldManifest: ManifestModel, newManifest: ManifestModel): Change[] {
  const changes: Change[] = [];
  const spans = matchByName(oldManifest.spans, newManifest.spans);
  const entries: { name: string; emit: () => void }[] = [
    ...spans.pairs.map((pair) => ({ name: pair.new.name, emit: () => diffSpan(pair, changes) })),
    ...spans.added.map((span) => ({
      name: span.name,
      emit: () =>
        changes.push({ level: 'span', path: spanPath(span.name), kind: 'added', breaking: false, message: `span "${span.name}" added` }),
    })),
    ...spans.removed.map((span) => ({
      name: span.name,
      emit: () =>
        changes.push({
          level: 'span',
          path: spanPath(span.name),
          kind: 'removed',
          breaking: true,
          message: `span "${span.name}" removed`,
        }),
    })),
  ];
  entries.sort(byName).forEach((entry) => entry.emit());
  return changes;
}

function diffSpan({ old, new: now, renamed }: Paired<SpanModel>, changes: Change[]): void {
  const path = spanPath(now.name);
  const subject = `span "${now.name}"`;
  if (renamed) {
    changes.push({
      level: 'span',
      path,
      kind: 'renamed',
      breaking: true,
      message: `span "${old.name}" renamed to "${now.name}" (helper spans.${old.tsName} → spans.${now.tsName})`,
    });
  }
  if (old.kind !== now.kind) {
    changes.push({ level: 'span', path, kind: 'changed', breaking: true, message: `${subject}: kind changed from ${old.kind} to ${now.kind}` });
  }
  if ((old.description ?? '') !== (now.description ?? '')) {
    changes.push({ level: 'span', path, kind: 'changed', breaking: false, message: `${subject}: description changed` });
  }
  const oldParents = [...(old.parents ?? [])].sort().join(', ');
  const newParents = [...(now.parents ?? [])].sort().join(', ');
  if (oldParents !== newParents) {
    changes.push({
      level: 'span',
      path,
      kind: 'changed',
      breaking: false,
      message: `${subject}: parents changed from ${oldParents || '(none)'} to ${newParents || '(none)'}`,
    });
  }
  diffAttributes(old.attributes, now.attributes, path, `of ${subject}`, changes);

  const events = matchByName(old.events, now.events);
  const entries: { name: string; emit: () => void }[] = [
    ...events.pairs.map((pair) => ({ name: pair.new.name, emit: () => diffEvent(pair, now, changes) })),
    ...events.added.map((event) => ({
      name: event.name,
      emit: () =>
        changes.push({
          level: 'event',
          path: `${path}.events.${event.name}`,
          kind: 'added',
          breaking: false,
          message: `event "${event.name}" added to ${subject}`,
        }),
    })),
    ...events.removed.map((event) => ({
      name: event.name,
      emit: () =>
        changes.push({
          level: 'event',
          path: `${path}.events.${event.name}`,
          kind: 'removed',
          breaking: true,
          message: `event "${event.name}" removed from ${subject}`,
        }),
    })),
  ];
  entries.sort(byName).forEach((entry) => entry.emit());
}

function diffEvent({ old, new: now, renamed }: Paired<EventModel>, span: SpanModel, changes: Change[]): void {
  const path = `${spanPath(span.name)}.events.${now.name}`;
  const subject = `event "${now.name}" of span "${span.name}"`;
  if (renamed) {
    changes.push({
      level: 'event',
      path,
      kind: 'renamed',
      breaking: true,
      message: `event "${old.name}" of span "${span.name}" renamed to "${now.name}" (method span.${old.tsName} → span.${now.tsName})`,
    });
  }
  if ((old.description ?? '') !== (now.description ?? '')) {
    changes.push({ level: 'event', path, kind: 'changed', breaking: false, message: `${subject}: description changed` });
  }
  diffAttributes(old.attributes, now.attributes, path, `of ${subject}`, changes);
}

function diffAttributes(
  olds: readonly AttributeModel[],
  news: readonly AttributeModel[],
  parentPath: string,
  owner: string,
  changes: Change[],
): void {
  const { pairs, added, removed } = matchByName(olds, news);
  const entries: { name: string; emit: () => void }[] = [
    ...pairs.map((pair) => ({ name: pair.new.name, emit: () => diffAttribute(pair, parentPath, owner, changes) })),
    ...added.map((attribute) => ({
      name: attribute.name,
      emit: () =>
        changes.push({
          level: 'attribute',
          path: `${parentPath}.attributes.${attribute.name}`,
          kind: 'added',
          breaking: attribute.required,
          message: attribute.required
            ? `required attribute "${attribute.name}" added ${to(owner)} (every call must now pass it)`
            : `attribute "${attribute.name}" added ${to(owner)}`,
        }),
    })),
    ...removed.map((attribute) => ({
      name: attribute.name,
      emit: () =>
        changes.push({
          level: 'attribute',
          path: `${parentPath}.attributes.${attribute.name}`,
          kind: 'removed',
          breaking: true,
          message: `attribute "${attribute.name}" (${attribute.key}) removed ${from(owner)}`,
        }),
    })),
  ];
  entries.sort(byName).forEach((entry) => entry.emit());
}

function diffAttribute({ old, new: now, renamed }: Paired<AttributeModel>, parentPath: string, owner: string, changes: Change[]): void {
  const path = `${parentPath}.attributes.${now.name}`;
  const subject = `attribute "${now.name}" ${owner}`;
  const change = (kind: ChangeKind, breaking: boolean, message: string): void => {
    changes.push({ level: 'attribute', path, kind, breaking, message });
  };
  if (renamed) change('renamed', true, `attribute "${old.name}" ${owner} renamed to "${now.name}"`);
  if (old.key !== now.key) change('changed', true, `${subject}: key changed from ${old.key} to ${now.key}`);
  if (old.type !== now.type) change('changed', true, `${subject}: type changed from ${old.type} to ${now.type}`);
  if (!old.required && now.required) change('changed', true, `${subject} is now required`);
  if (old.required && !now.required) change('changed', false, `${subject} is no longer required`);
  if (old.type === 'enum' && now.type === 'enum') {
    const before = old.values ?? [];
    const after = now.values ?? [];
    for (const value of before) if (!after.includes(value)) change('changed', true, `${subject}: enum value "${value}" removed`);
    for (const value of after) if (!before.includes(value)) change('changed', false, `${subject}: enum value "${value}" added`);
  }
  if ((old.description ?? '') !== (now.description ?? '')) change('changed', false, `${subject}: description changed`);
}

function spanPath(name: string): string {
  return `spans.${name}`;
}

/** `of span "x"` → `to span "x"` / `from span "x"`. */
function to(owner: string): string {
  return owner.replace(/^of /, 'to ');
}

function from(owner: string): string {
  return owner.replace(/^of /, 'from ');
}

// ---------------------------------------------------------------- renames, for migrate

export interface AttributeRename {
  readonly from: AttributeModel;
  readonly to: AttributeModel;
}

export interface EventRenames {
  /** The event in the old manifest (its `tsName` is the method call sites use). */
  readonly old: EventModel;
  readonly new: EventModel;
  /** Set when the event itself was renamed. */
  readonly renamed: boolean;
  readonly attributes: readonly AttributeRename[];
}

/** What call sites of one old helper must change; only spans with some rename are listed. */
export interface SpanRenames {
  readonly old: SpanModel;
  readonly new: SpanModel;
  readonly renamed: boolean;
  readonly attributes: readonly AttributeRename[];
  readonly events: readonly EventRenames[];
}

/** The renames (`renamed_from`) between two manifests, grouped by the old helper. */
export function findRenames(oldManifest: ManifestModel, newManifest: ManifestModel): SpanRenames[] {
  const out: SpanRenames[] = [];
  for (const pair of matchByName(oldManifest.spans, newManifest.spans).pairs) {
    const attributes = attributeRenames(pair.old.attributes, pair.new.attributes);
    const events: EventRenames[] = [];
    for (const event of matchByName(pair.old.events, pair.new.events).pairs) {
      const eventAttributes = attributeRenames(event.old.attributes, event.new.attributes);
      if (event.renamed || eventAttributes.length > 0) {
        events.push({ old: event.old, new: event.new, renamed: event.renamed, attributes: eventAttributes });
      }
    }
    if (pair.renamed || attributes.length > 0 || events.length > 0) {
      out.push({ old: pair.old, new: pair.new, renamed: pair.renamed, attributes, events });
    }
  }
  return out;
}

function attributeRenames(olds: readonly AttributeModel[], news: readonly AttributeModel[]): AttributeRename[] {
  return matchByName(olds, news)
    .pairs.filter((pair) => pair.renamed && pair.old.tsName !== pair.new.tsName)
    .map((pair) => ({ from: pair.old, to: pair.new }));
}
