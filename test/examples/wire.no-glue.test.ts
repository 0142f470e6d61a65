import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/build';

const EXAMPLES = ['odk-central', 'apostrophe', 'drf-style', 'stac-cognito', 'siera'];

/** The example's app code that is not configuration: the non-blank, non-comment lines after `// ---- the app ----`. */
function appLines(source: string): string[] {
  const start = source.indexOf('// ---- the app ----');
  const end = source.indexOf('return { app', start);
  return source
    .slice(start, end)
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '' && !line.trim().startsWith('//'));
}

describe('examples/wire: each system from options alone', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

  it.each(EXAMPLES)('%s patches no response or request and filters no header', (name) => {
    const source = readFileSync(path.join(ROOT, 'examples', 'wire', `${name}.js`), 'utf8');
    expect(source).not.toMatch(/res\.(json|send|end|write|writeHead|setHeader|status)\s*=/);
    expect(source).not.toMatch(/req\.(method|url|headers)\s*=/);
    expect(source).not.toMatch(/removeHeader|getHeader\(/);
    expect(source).toContain('// ---- configuration ----');
  });

  it.each(EXAMPLES)("%s has the README example table's count of app lines that are not configuration", (name) => {
    const source = readFileSync(path.join(ROOT, 'examples', 'wire', `${name}.js`), 'utf8');
    const row = readme.split('\n').find((line) => line.startsWith(`| [\`${name}\`]`));
    expect(row).toBeDefined();
    expect(row).toContain(`| ${appLines(source).length} |`);
  });
});
