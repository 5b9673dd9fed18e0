// Test helper: the documented role → permission table, read from docs/security.md (which a
// server unit test keeps equal to the code). Tests only; the console asks the server instead.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export function documentedRoleTable(): Map<string, Set<string>> {
  // Tests run from web/ (npm test, vitest's root).
  const path = resolve(process.cwd(), '../docs/security.md');
  const text = readFileSync(path, 'utf8');
  const begin = text.indexOf('<!-- role-table:begin -->');
  const end = text.indexOf('<!-- role-table:end -->');
  if (begin < 0 || end < 0) throw new Error('role table markers not found in docs/security.md');
  const rows = text
    .slice(begin, end)
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
  const [header, , ...body] = rows;
  if (header === undefined) throw new Error('role table has no header');
  const roles = header.slice(1);
  const table = new Map<string, Set<string>>(roles.map((role) => [role, new Set<string>()]));
  for (const row of body) {
    const permission = (row[0] ?? '').replace(/`/g, '');
    roles.forEach((role, i) => {
      if ((row[i + 1] ?? '').includes('✓')) table.get(role)?.add(permission);
    });
  }
  return table;
}
