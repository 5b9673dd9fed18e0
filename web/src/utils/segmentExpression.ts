// The segment builder's condition list, written as the segment language's text
// (docs/segments.md). The server parses, validates and canonicalises the text; this only writes
// it: names bare when the language allows (else quoted), strings quoted and escaped, numbers and
// dates bare, each condition complete or reported as not yet complete.

export type AttributeType = 'string' | 'enum' | 'integer' | 'decimal' | 'boolean' | 'date' | 'timestamp' | 'string_list';

export interface CatalogAttribute {
  name: string;
  type: AttributeType;
  values?: string[];
}

export interface SegmentCatalog {
  attributes: CatalogAttribute[];
  events: Array<{ name: string; properties: Array<{ name: string; type?: string }> }>;
  tags: Array<{ name: string; values?: string[] }>;
  segments: string[];
  branches: string[];
  event_channels: string[];
  consent_purposes: string[];
  consent_channels: string[];
}

export const ATTRIBUTE_OPS = ['=', '!=', '>', '>=', '<', '<=', 'between', 'contains', 'within', 'is set', 'is not set'] as const;
export type AttributeOp = (typeof ATTRIBUTE_OPS)[number];
export type TimesMode = 'at_least' | 'at_most' | 'exactly';

export type Condition =
  | { kind: 'attribute'; name: string; op: AttributeOp; value: string; value2: string }
  | { kind: 'event'; negated: boolean; event: string; times: TimesMode; n: number; days: number | null }
  | { kind: 'tag'; tag: string; value: string }
  | { kind: 'segment'; segment: string }
  | { kind: 'consent'; purpose: string; channel: string };

export type Combinator = 'and' | 'or';

export type WriteResult = { ok: true; text: string } | { ok: false; index: number; reason: IncompleteReason };
export const INCOMPLETE_REASONS = ['empty', 'name', 'value', 'number', 'date', 'count', 'days'] as const;
export type IncompleteReason = (typeof INCOMPLETE_REASONS)[number];
// A condition's text always has a space in it; a reason is one word.
const isReason = (text: string): text is IncompleteReason => (INCOMPLETE_REASONS as readonly string[]).includes(text);

const RESERVED = new Set(
  'and or not did has in first last count sum avg min max within consented then where via at exactly between true false'.split(' '),
);
const BARE = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const NUMBER = /^-?\d{1,15}(\.\d{1,6})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

// A string literal: double quotes, with \" \\ \n \t escaped.
export function quote(value: string): string {
  return `"${value.replace(/[\\"\n\t]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t' })[c] as string)}"`;
}

// A name as the language reads it: bare when it can be, else a string.
export function writeName(name: string): string {
  return BARE.test(name) && !RESERVED.has(name.toLowerCase()) ? name : quote(name);
}

// An attribute's literal by its type: numbers and dates bare, true/false bare, others quoted.
// Null when the text is not a literal of that type.
export function writeValue(type: AttributeType | undefined, raw: string): string | null {
  const value = raw.trim();
  switch (type) {
    case 'integer':
    case 'decimal':
      return NUMBER.test(value) ? value : null;
    case 'date':
    case 'timestamp':
      return DATE.test(value) ? value : null;
    case 'boolean':
      return value === 'true' || value === 'false' ? value : null;
    default:
      return value === '' ? null : quote(raw);
  }
}

// The operators that fit an attribute type (docs/segments.md, "Which literals fit which type").
export function opsFor(type: AttributeType | undefined): AttributeOp[] {
  switch (type) {
    case 'integer':
    case 'decimal':
      return ['=', '!=', '>', '>=', '<', '<=', 'between', 'is set', 'is not set'];
    case 'date':
    case 'timestamp':
      return ['=', '!=', '>', '>=', '<', '<=', 'between', 'within', 'is set', 'is not set'];
    case 'boolean':
    case 'enum':
      return ['=', '!=', 'is set', 'is not set'];
    case 'string_list':
      return ['contains', 'is set', 'is not set'];
    default:
      return ['=', '!=', 'contains', 'is set', 'is not set'];
  }
}

function reasonFor(type: AttributeType | undefined): IncompleteReason {
  if (type === 'integer' || type === 'decimal') return 'number';
  if (type === 'date' || type === 'timestamp') return 'date';
  return 'value';
}

// One condition's text, or why it is not complete yet.
export function writeCondition(c: Condition, catalog: Pick<SegmentCatalog, 'attributes'>): string | IncompleteReason {
  switch (c.kind) {
    case 'attribute': {
      if (c.name === '') return 'name';
      const name = writeName(c.name);
      const type = catalog.attributes.find((a) => a.name === c.name)?.type;
      if (c.op === 'is set' || c.op === 'is not set') return `${name} ${c.op}`;
      if (c.op === 'within') {
        const days = Number(c.value);
        return Number.isInteger(days) && days >= 0 && c.value.trim() !== '' ? `${name} within ${days} days` : 'days';
      }
      const a = writeValue(type, c.value);
      if (a === null) return reasonFor(type);
      if (c.op === 'between') {
        const b = writeValue(type, c.value2);
        return b === null ? reasonFor(type) : `${name} between ${a} and ${b}`;
      }
      return `${name} ${c.op} ${a}`;
    }
    case 'event': {
      if (c.event === '') return 'name';
      const parts = ['did'];
      if (c.negated) parts.push('not');
      parts.push(writeName(c.event));
      if (!Number.isInteger(c.n) || c.n < 0 || (c.times === 'at_least' && c.n < 1)) return 'count';
      if (!(c.times === 'at_least' && c.n === 1)) {
        const word = { at_least: 'at least', at_most: 'at most', exactly: 'exactly' }[c.times];
        parts.push(`${word} ${c.n} ${c.n === 1 ? 'time' : 'times'}`);
      }
      if (c.days !== null) {
        if (!Number.isInteger(c.days) || c.days < 1) return 'days';
        parts.push(`in last ${c.days} ${c.days === 1 ? 'day' : 'days'}`);
      }
      return parts.join(' ');
    }
    case 'tag':
      if (c.tag === '') return 'name';
      return c.value === '' ? `has tag ${writeName(c.tag)}` : `has tag ${writeName(c.tag)} = ${quote(c.value)}`;
    case 'segment':
      return c.segment === '' ? 'name' : `in segment ${writeName(c.segment)}`;
    case 'consent':
      if (c.purpose === '') return 'name';
      return c.channel === '' ? `consented to ${writeName(c.purpose)}` : `consented to ${writeName(c.purpose)} via ${writeName(c.channel)}`;
  }
}

// The whole list joined by the combinator; the first incomplete condition stops it.
export function writeExpression(
  conditions: readonly Condition[],
  combinator: Combinator,
  catalog: Pick<SegmentCatalog, 'attributes'>,
): WriteResult {
  if (conditions.length === 0) return { ok: false, index: -1, reason: 'empty' };
  const texts: string[] = [];
  for (const [index, c] of conditions.entries()) {
    const text = writeCondition(c, catalog);
    if (isReason(text)) return { ok: false, index, reason: text };
    // `did X where …` would take a following `and`; conditions written here have no where
    // clause, and `not`/`did not` bind to their own condition, so no parentheses are needed.
    texts.push(text);
  }
  return { ok: true, text: texts.join(` ${combinator} `) };
}

// A fresh condition of a kind, with the catalog's first choices filled in.
export function newCondition(kind: Condition['kind'], catalog: SegmentCatalog): Condition {
  switch (kind) {
    case 'attribute': {
      const first = catalog.attributes[0];
      return { kind, name: first?.name ?? '', op: opsFor(first?.type)[0] ?? '=', value: '', value2: '' };
    }
    case 'event':
      return { kind, negated: false, event: catalog.events[0]?.name ?? '', times: 'at_least', n: 1, days: 30 };
    case 'tag':
      return { kind, tag: catalog.tags[0]?.name ?? '', value: '' };
    case 'segment':
      return { kind, segment: catalog.segments[0] ?? '' };
    case 'consent':
      return { kind, purpose: catalog.consent_purposes[0] ?? '', channel: '' };
  }
}
