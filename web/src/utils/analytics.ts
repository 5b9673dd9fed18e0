// The analytics pages' pure logic: the bank's local days, a page's query kept in the address
// (so a reload or a shared link shows the same chart), the analytics API's query bodies built
// from that state, and the formatting of amounts (decimal strings in yuan, never float-summed)
// and rates. No Vue here: unit-tested in analytics.test.ts.

// The bank's calendar (docs/analytics.md: Asia/Shanghai by default). Ranges are local days of
// that zone, whatever zone the browser is in.
export const BANK_TIME_ZONE = 'Asia/Shanghai';
// The longest range the API takes (kRangeDaysMax).
export const RANGE_DAYS_MAX = 732;
export const FUNNEL_STEPS_MIN = 2;
export const FUNNEL_STEPS_MAX = 10;
export const FUNNEL_WINDOW_DAYS_MAX = 90;
export const RETENTION_PERIODS_MAX = 90;

export interface DateRange {
  from: string;
  to: string;
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const dayFormatter = new Intl.DateTimeFormat('en-CA', {
  timeZone: BANK_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

// The local day (YYYY-MM-DD) `offsetDays` from `now` in the bank's zone.
export function bankDay(offsetDays = 0, now: Date = new Date()): string {
  return dayFormatter.format(new Date(now.getTime() + offsetDays * 86_400_000));
}

// The last `days` local days, today included.
export function lastDays(days: number, now: Date = new Date()): DateRange {
  return { from: bankDay(-(days - 1), now), to: bankDay(0, now) };
}

export function isDay(value: unknown): value is string {
  if (typeof value !== 'string' || !DAY_RE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

// --- The address --------------------------------------------------------------------------

// vue-router's LocationQuery, narrowed to what the pages read and write.
export type Query = Record<string, string | null | Array<string | null> | undefined>;

function first(query: Query, key: string): string | undefined {
  const v = query[key];
  if (Array.isArray(v)) return v[0] ?? undefined;
  return v ?? undefined;
}

function all(query: Query, key: string): string[] {
  const v = query[key];
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}

function intIn(raw: string | undefined, min: number, max: number, fallback: number): number {
  if (raw === undefined || !/^\d+$/.test(raw)) return fallback;
  const n = Number(raw);
  return n >= min && n <= max ? n : fallback;
}

function oneOf<T extends string>(raw: string | undefined, values: readonly T[], fallback: T): T {
  return values.includes(raw as T) ? (raw as T) : fallback;
}

// A range from `from`/`to`, or the last `defaultDays` days when either is missing or malformed.
export function rangeFromQuery(query: Query, defaultDays: number, now: Date = new Date()): DateRange {
  const from = first(query, 'from');
  const to = first(query, 'to');
  if (isDay(from) && isDay(to) && from <= to) return { from, to };
  return lastDays(defaultDays, now);
}

export type Interval = 'day' | 'week' | 'month';
export const INTERVALS: readonly Interval[] = ['day', 'week', 'month'];

// A funnel step: an event, optionally with one property condition (property = value).
export interface FunnelStep {
  event: string;
  property?: string;
  value?: string;
}

export type FunnelGroup = '' | 'channel';

export interface FunnelState {
  steps: FunnelStep[];
  windowDays: number;
  range: DateRange;
  group: FunnelGroup;
}

// The demo bank's card-application funnel (src/server/demo_bank.cc): credit-card product views,
// applications, submitted forms and approvals, by the entry's channel.
export const CARD_FUNNEL_EVENTS = ['view_product', 'apply_card', 'submit_form', 'card_approved'] as const;
export function cardFunnel(range: DateRange): FunnelState {
  return {
    steps: CARD_FUNNEL_EVENTS.map((event) => ({ event, property: 'product', value: 'credit_card' })),
    windowDays: 7,
    range,
    group: 'channel',
  };
}

// A step in the address: `event`, or `event|property=value`.
export function stepToText(step: FunnelStep): string {
  return step.property ? `${step.event}|${step.property}=${step.value ?? ''}` : step.event;
}

export function stepFromText(text: string): FunnelStep | null {
  const bar = text.indexOf('|');
  const event = (bar < 0 ? text : text.slice(0, bar)).trim();
  if (event === '') return null;
  if (bar < 0) return { event };
  const condition = text.slice(bar + 1);
  const eq = condition.indexOf('=');
  if (eq <= 0) return { event };
  return { event, property: condition.slice(0, eq), value: condition.slice(eq + 1) };
}

export function funnelFromQuery(query: Query, now: Date = new Date()): FunnelState {
  const steps = all(query, 'step')
    .map(stepFromText)
    .filter((s): s is FunnelStep => s !== null)
    .slice(0, FUNNEL_STEPS_MAX);
  const range = rangeFromQuery(query, 30, now);
  if (steps.length < FUNNEL_STEPS_MIN) return cardFunnel(range);
  return {
    steps,
    windowDays: intIn(first(query, 'window'), 1, FUNNEL_WINDOW_DAYS_MAX, 7),
    range,
    group: oneOf(first(query, 'by'), ['', 'channel'] as const, ''),
  };
}

export function funnelToQuery(state: FunnelState): Record<string, string | string[]> {
  const q: Record<string, string | string[]> = {
    step: state.steps.map(stepToText),
    window: String(state.windowDays),
    from: state.range.from,
    to: state.range.to,
  };
  if (state.group !== '') q.by = state.group;
  return q;
}

export interface EventFilter {
  event: string;
  where?: Array<{ property: string; op: '='; value: string }>;
}

export function stepFilter(step: FunnelStep): EventFilter {
  if (!step.property) return { event: step.event };
  return { event: step.event, where: [{ property: step.property, op: '=', value: step.value ?? '' }] };
}

export function funnelBody(state: FunnelState): Record<string, unknown> {
  return {
    steps: state.steps.map(stepFilter),
    window: { days: state.windowDays },
    range: state.range,
    ...(state.group !== '' ? { group_by: { kind: state.group } } : {}),
  };
}

export interface RetentionState {
  cohortBy: 'first_event' | 'customer_since';
  start: string;
  ret: string;
  interval: Interval;
  periods: number;
  unbounded: boolean;
  range: DateRange;
}

export function retentionFromQuery(query: Query, now: Date = new Date()): RetentionState {
  const interval = oneOf(first(query, 'interval'), INTERVALS, 'week');
  return {
    cohortBy: oneOf(first(query, 'cohort'), ['first_event', 'customer_since'] as const, 'first_event'),
    start: first(query, 'start') || 'login',
    ret: first(query, 'return') || 'login',
    interval,
    periods: intIn(first(query, 'periods'), 1, RETENTION_PERIODS_MAX, 8),
    unbounded: first(query, 'unbounded') === '1',
    range: rangeFromQuery(query, 90, now),
  };
}

export function retentionToQuery(s: RetentionState): Record<string, string> {
  const q: Record<string, string> = {
    cohort: s.cohortBy,
    return: s.ret,
    interval: s.interval,
    periods: String(s.periods),
    from: s.range.from,
    to: s.range.to,
  };
  if (s.cohortBy === 'first_event') q.start = s.start;
  if (s.unbounded) q.unbounded = '1';
  return q;
}

export function retentionBody(s: RetentionState): Record<string, unknown> {
  return {
    cohort_by: s.cohortBy,
    ...(s.cohortBy === 'first_event' ? { start: { event: s.start } } : {}),
    return: { event: s.ret },
    interval: s.interval,
    periods: s.periods,
    unbounded: s.unbounded,
    range: s.range,
  };
}

export type ActivityGroup = '' | 'channel' | 'branch';

export interface ActivityState {
  interval: Interval;
  range: DateRange;
  group: ActivityGroup;
}

export function activityFromQuery(query: Query, now: Date = new Date()): ActivityState {
  return {
    interval: oneOf(first(query, 'interval'), INTERVALS, 'day'),
    range: rangeFromQuery(query, 30, now),
    group: oneOf(first(query, 'by'), ['', 'channel', 'branch'] as const, ''),
  };
}

export function activityToQuery(s: ActivityState): Record<string, string> {
  const q: Record<string, string> = { interval: s.interval, from: s.range.from, to: s.range.to };
  if (s.group !== '') q.by = s.group;
  return q;
}

export type Measure = 'count' | 'uniques' | 'sum' | 'average';
export const MEASURES: readonly Measure[] = ['count', 'uniques', 'sum', 'average'];

export interface TrendState {
  event: string;
  measure: Measure;
  property: string;
  interval: Interval;
  range: DateRange;
  group: '' | 'channel';
}

export function trendFromQuery(query: Query, now: Date = new Date()): TrendState {
  return {
    event: first(query, 'event') || 'login',
    measure: oneOf(first(query, 'measure'), MEASURES, 'count'),
    property: first(query, 'property') ?? 'amount',
    interval: oneOf(first(query, 'interval'), INTERVALS, 'day'),
    range: rangeFromQuery(query, 30, now),
    group: oneOf(first(query, 'by'), ['', 'channel'] as const, ''),
  };
}

export function needsProperty(measure: Measure): boolean {
  return measure === 'sum' || measure === 'average';
}

export function trendToQuery(s: TrendState): Record<string, string> {
  const q: Record<string, string> = {
    event: s.event,
    measure: s.measure,
    interval: s.interval,
    from: s.range.from,
    to: s.range.to,
  };
  if (needsProperty(s.measure)) q.property = s.property;
  if (s.group !== '') q.by = s.group;
  return q;
}

export function trendBody(s: TrendState): Record<string, unknown> {
  return {
    event: { event: s.event },
    measure: s.measure,
    ...(needsProperty(s.measure) ? { property: s.property } : {}),
    interval: s.interval,
    range: s.range,
    ...(s.group !== '' ? { group_by: { kind: s.group } } : {}),
  };
}

export type AumGroup = 'tier' | 'branch' | 'relationship_manager';
export const AUM_GROUPS: readonly AumGroup[] = ['tier', 'branch', 'relationship_manager'];
export type AumMeasure = 'aum' | 'deposit' | 'loan' | 'credit_card' | 'wealth';
export const AUM_MEASURES: readonly AumMeasure[] = ['aum', 'deposit', 'loan', 'credit_card', 'wealth'];

export interface AumState {
  group: AumGroup;
  seriesGroup: '' | 'tier' | 'branch';
  measure: AumMeasure;
  interval: Interval;
  range: DateRange;
}

export function aumFromQuery(query: Query, now: Date = new Date()): AumState {
  return {
    group: oneOf(first(query, 'by'), AUM_GROUPS, 'tier'),
    seriesGroup: oneOf(first(query, 'series'), ['', 'tier', 'branch'] as const, 'tier'),
    measure: oneOf(first(query, 'measure'), AUM_MEASURES, 'aum'),
    interval: oneOf(first(query, 'interval'), INTERVALS, 'week'),
    range: rangeFromQuery(query, 90, now),
  };
}

export function aumToQuery(s: AumState): Record<string, string> {
  return {
    by: s.group,
    series: s.seriesGroup,
    measure: s.measure,
    interval: s.interval,
    from: s.range.from,
    to: s.range.to,
  };
}

// Whether two address queries say the same thing (so the page does not re-ask for its own push).
export function sameQuery(a: Query, b: Query): boolean {
  const norm = (q: Query) =>
    JSON.stringify(
      Object.keys(q)
        .filter((k) => q[k] !== undefined)
        .sort()
        .map((k) => [k, Array.isArray(q[k]) ? q[k] : [q[k]]]),
    );
  return norm(a) === norm(b);
}

// --- Amounts and rates --------------------------------------------------------------------

// A decimal string in yuan ("-1234567.8") grouped by thousands with two decimals
// ("-1,234,567.80"), without going through a float.
export function formatYuan(amount: string | null | undefined): string {
  if (amount === null || amount === undefined) return '—';
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!m) return amount;
  const [, sign, whole, frac = ''] = m;
  const grouped = (whole as string).replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (frac + '00').slice(0, 2);
  return `${sign}${grouped}.${cents}`;
}

// A yuan string as a number of 万元 (ten thousands) for charts' axes — a plotted value, never
// added up; sums come from the server (exact in fen).
export function yuanToWan(amount: string | null | undefined): number | null {
  if (amount === null || amount === undefined) return null;
  const n = Number(amount);
  return Number.isFinite(n) ? Math.round(n / 100) / 100 : null;
}

// Adds yuan strings exactly (in fen, as BigInt), for totals the page must make itself.
export function sumYuan(amounts: ReadonlyArray<string | null | undefined>): string {
  let fen = 0n;
  for (const a of amounts) {
    if (a === null || a === undefined) continue;
    const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(a.trim());
    if (!m) throw new Error(`not an amount in yuan: ${a}`);
    const value = BigInt(m[2] as string) * 100n + BigInt(((m[3] ?? '') + '00').slice(0, 2));
    fen += m[1] === '-' ? -value : value;
  }
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  return `${negative ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

// 0.429043 → "42.9%"; null (no one at that step, a period not begun) → "—".
export function formatRate(rate: number | null | undefined, digits = 1): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '—';
  return `${(rate * 100).toFixed(digits)}%`;
}

// The last period with a figure (the latest complete value of a series with nulls at the end).
export function lastValue<T>(values: ReadonlyArray<T | null>): { value: T; index: number } | null {
  for (let i = values.length - 1; i >= 0; i -= 1) {
    const v = values[i];
    if (v !== null && v !== undefined) return { value: v, index: i };
  }
  return null;
}

// Per period, the sum over groups of a numeric series (gained and lost per branch → the bank's).
export function sumSeries(series: ReadonlyArray<ReadonlyArray<number>>, length: number): number[] {
  const out = new Array<number>(length).fill(0);
  for (const s of series) s.forEach((v, i) => (out[i] = (out[i] ?? 0) + v));
  return out;
}

// The LTV the AUM page shows: a holdings-only formula (the demo's events carry no fee or
// commission to count as revenue) — the yearly margin on each balance held now, over three
// years discounted at 8%. Shown with the table, so the reader knows what the figures mean.
export const LTV_HOLDINGS = [
  { attribute: 'deposit_balance', rate: 0.01 },
  { attribute: 'wealth_balance', rate: 0.006 },
  { attribute: 'loan_balance', rate: 0.02 },
] as const;
export const LTV_YEARS = 3;
export const LTV_DISCOUNT_RATE = 0.08;
export const TIER_VALUES = ['mass', 'gold', 'wealth', 'private'] as const;

// LTV by tier or branch (the API groups LTV by the customer, never by a manager's book).
export function ltvBody(group: AumGroup): Record<string, unknown> {
  return {
    holdings: LTV_HOLDINGS,
    years: LTV_YEARS,
    discount_rate: LTV_DISCOUNT_RATE,
    group_by: group === 'branch' ? { kind: 'branch' } : { kind: 'tag', name: 'aum_tier', values: [...TIER_VALUES] },
  };
}

// The follow and unfollow events of the bank's data for the followers query: WeChat's own names
// (subscribe, unsubscribe — the server's default) or the prefixed ones some feeds use; none
// found leaves the server's default.
export function followerEvents(catalogEvents: ReadonlyArray<string>): { follow?: string; unfollow?: string } {
  const names = new Set(catalogEvents);
  const pick = (...candidates: string[]) => candidates.find((c) => names.has(c));
  const follow = pick('subscribe', 'wechat_subscribe');
  const unfollow = pick('unsubscribe', 'wechat_unsubscribe');
  return { ...(follow ? { follow } : {}), ...(unfollow ? { unfollow } : {}) };
}

export interface FollowerTotals {
  code: string;
  gained: number;
  lost: number;
  net: number;
}

// Per branch over the range: followed, unfollowed (as a positive count) and net; branches
// with neither left out, the API's order kept (largest first).
export function followerTotals(groups: ReadonlyArray<{ name?: string; gained: number[]; lost: number[] }>): FollowerTotals[] {
  return groups
    .map((g) => {
      const gained = g.gained.reduce((a, b) => a + b, 0);
      const lost = -g.lost.reduce((a, b) => a + b, 0);
      return { code: g.name ?? '', gained, lost, net: gained - lost };
    })
    .filter((r) => r.gained !== 0 || r.lost !== 0);
}
