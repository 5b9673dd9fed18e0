// Timestamps from the API are RFC 3339 in UTC; the console shows them in the browser's time
// zone (the bank's), in the console's language.

const formatters = new Map<string, Intl.DateTimeFormat>();

export function formatDateTime(value: string | null | undefined, locale: string): string {
  if (value === null || value === undefined || value === '') return '';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  let formatter = formatters.get(locale);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat(locale, {
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hour12: false,
    });
    formatters.set(locale, formatter);
  }
  return formatter.format(date);
}

// A Date from a picker as the API wants it: RFC 3339 in UTC, whole seconds.
export function toRfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
