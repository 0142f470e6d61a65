/**
 * The README's table of contents lists every section (`##`) and subsection (`###`) in order,
 * each link goes to its heading (GitHub's anchors), and it points at the API reference.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './helpers/build';

const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The `##` and `###` headings outside code blocks, in order. */
function headings(): Array<{ level: number; text: string }> {
  const found: Array<{ level: number; text: string }> = [];
  let inFence = false;
  for (const line of readme.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    const heading = inFence ? null : /^(#{2,3}) (.+)$/.exec(line);
    if (heading) found.push({ level: heading[1].length, text: heading[2] });
  }
  return found;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as `-`; repeats get `-1`, `-2`, …. */
function anchors(): Map<string, string> {
  const counts = new Map<string, number>();
  const byText = new Map<string, string>();
  for (const { text } of headings()) {
    const base = text.toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, '').replaceAll(' ', '-');
    const seen = counts.get(base) ?? 0;
    counts.set(base, seen + 1);
    byText.set(text, seen === 0 ? base : `${base}-${seen}`);
  }
  return byText;
}

const contents = readme.slice(readme.indexOf('## Contents'), readme.indexOf('\n## ', readme.indexOf('## Contents') + 1));
const entries = [...contents.matchAll(/^( *)- \[(.+)\]\(#([^)]+)\)$/gm)].map((match) => ({ level: match[1].length === 0 ? 2 : 3, text: match[2], anchor: match[3] }));

describe('the README table of contents', () => {
  it('lists every section and subsection, in order, at its level', () => {
    const sections = headings().filter((heading) => heading.text !== 'Contents');
    expect(entries.map(({ level, text }) => ({ level, text }))).toEqual(sections);
  });

  it('links each entry to its heading', () => {
    const byText = anchors();
    for (const entry of entries) expect([entry.text, entry.anchor]).toEqual([entry.text, byText.get(entry.text)]);
    // Links elsewhere in the README to a section resolve too.
    const known = new Set(byText.values());
    for (const [, anchor] of readme.matchAll(/\]\(#([^)]+)\)/g)) expect(known).toContain(anchor);
  });

  it('comes first and points at the API reference, built by a script package.json has', () => {
    expect(contents).toContain('`npm run docs`');
    expect(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.docs).toBe('typedoc');
    expect(headings()[0].text).toBe('Contents'); // the first section, at the top
  });
});
