import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SCHEME_IDS } from '../src/schemes/ids';

/**
 * ARCHITECTURE.md is a map of the source: every path it names exists, every scheme has the
 * home it describes, and "How to add a scheme" touches at most three files besides the
 * new scheme's own folder.
 */
const ROOT = path.join(__dirname, '..');
const ARCHITECTURE = readFileSync(path.join(ROOT, 'ARCHITECTURE.md'), 'utf8');

/** `mutualTls` → `mutual-tls`: a scheme's folder under src/schemes. */
const folderOf = (id: string) => id.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

describe('ARCHITECTURE.md', () => {
  it('names only paths that exist (placeholders such as <id> aside)', () => {
    const named = [...ARCHITECTURE.matchAll(/`((?:src|test)\/[^`\s]+)`/g)].map((match) => match[1]);
    expect(named.length).toBeGreaterThan(20);
    const concrete = named.filter((file) => !file.includes('<') && !file.includes('mutual-tls') && !file.includes('*'));
    expect(concrete.filter((file) => !existsSync(path.join(ROOT, file)))).toEqual([]);
  });

  it('every scheme lives in its own folder with the files the checklist lists', () => {
    for (const id of SCHEME_IDS) {
      for (const file of ['index.ts', 'detection.ts', 'strategy.ts']) {
        expect(existsSync(path.join(ROOT, 'src', 'schemes', folderOf(id), file))).toBe(true);
      }
    }
  });

  it('"How to add a scheme" touches at most three files besides the scheme\'s own folder', () => {
    const start = ARCHITECTURE.indexOf('## How to add a scheme');
    const section = ARCHITECTURE.slice(start, ARCHITECTURE.indexOf('\n## ', start + 1));
    const steps = [...section.matchAll(/^\d+\. \*\*`?([^*`]+)`?\*\*/gm)].map((match) => match[1]);
    const own = steps.filter((file) => file.startsWith('src/schemes/mutual-tls/'));
    const others = steps.filter((file) => !file.startsWith('src/schemes/mutual-tls/'));
    expect(own).toHaveLength(1);
    expect(others.length).toBeLessThanOrEqual(3);
    for (const file of others) expect(existsSync(path.join(ROOT, file))).toBe(true);
  });
});
