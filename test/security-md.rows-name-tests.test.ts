/**
 * SECURITY.md stays honest: every ASVS row names at least one test file, every test file
 * it names exists, and none of them is skipped or focused (so `npm test` really runs it).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const TEST_FILE = /test\/[\w./-]+\.test\.ts/g;

/** The table rows of SECURITY.md whose first cell is an ASVS id such as `V6.3.1`. */
function asvsRows(markdown: string): Array<{ id: string; line: string; tests: string[] }> {
  return markdown
    .split('\n')
    .filter((line) => /^\|\s*V\d+\.\d+\.\d+\s*\|/.test(line))
    .map((line) => {
      const cells = line.split('|').map((cell) => cell.trim());
      const last = cells[cells.length - 2] ?? '';
      return { id: cells[1], line, tests: last.match(TEST_FILE) ?? [] };
    });
}

describe('SECURITY.md', () => {
  const markdown = readFileSync(path.join(ROOT, 'SECURITY.md'), 'utf8');
  const rows = asvsRows(markdown);

  it('has ASVS rows for V6, V7, V9, V11, the cookie and CSRF rows, and 14.2.1', () => {
    const ids = rows.map((row) => row.id);
    for (const chapter of ['V6.', 'V7.', 'V9.', 'V11.', 'V3.3.', 'V3.5.']) expect(ids.some((id) => id.startsWith(chapter))).toBe(true);
    expect(ids).toContain('V14.2.1');
  });

  it('names at least one test file in the last cell of every ASVS row', () => {
    expect(rows.filter((row) => row.tests.length === 0).map((row) => row.line)).toEqual([]);
  });

  it('names only test files that exist', () => {
    const named = [...new Set(markdown.match(TEST_FILE) ?? [])];
    expect(named.length).toBeGreaterThan(20);
    expect(named.filter((file) => !existsSync(path.join(ROOT, file)))).toEqual([]);
  });

  it('names no test file that skips or focuses its tests', () => {
    const named = [...new Set(markdown.match(TEST_FILE) ?? [])].filter((file) => existsSync(path.join(ROOT, file)));
    const skipping = named.filter((file) => /\b(?:it|test|describe)\.(?:skip|only|todo)\b|\bx(?:it|describe)\(|\bf(?:it|describe)\(/.test(readFileSync(path.join(ROOT, file), 'utf8')));
    expect(skipping).toEqual([]);
  });

  it('tells how to report a vulnerability privately', () => {
    expect(markdown).toMatch(/## Reporting a vulnerability[\s\S]*security@express-gatehouse\.invalid/);
  });

  it('keeps a Fuzzing section with the command', () => {
    expect(markdown).toMatch(/## Fuzzing[\s\S]*`npm run fuzz`/);
  });
});

describe('asvsRows', () => {
  it('finds the tests of a row, and none in a row without one', () => {
    const rows = asvsRows(['| V1.2.3 | a | b | `test/a.test.ts`, `test/b.test.ts` |', '| V1.2.4 | a | b | none |', '| ASVS | x | y | z |'].join('\n'));
    expect(rows).toEqual([
      { id: 'V1.2.3', line: expect.any(String), tests: ['test/a.test.ts', 'test/b.test.ts'] },
      { id: 'V1.2.4', line: expect.any(String), tests: [] },
    ]);
  });
});
