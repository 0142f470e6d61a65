/**
 * The architecture, checked on the code: each scheme keeps to its own folder, the files a new
 * scheme must join are the ones ARCHITECTURE.md's recipe lists, every shipped store has its
 * conformance run, and the layer table names the layers the import-direction test enforces.
 * ARCHITECTURE.md is held to the code, not the other way round.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { SCHEME_IDS } from '../src/schemes/ids';
import { LAYERS, layerOf } from './helpers/import-graph';

const ROOT = path.join(__dirname, '..');
const SRC = path.join(ROOT, 'src');
const ARCHITECTURE = readFileSync(path.join(ROOT, 'ARCHITECTURE.md'), 'utf8');
const IDS: readonly string[] = SCHEME_IDS;

/** `mutualTls` → `mutual-tls`: a scheme's folder under src/schemes. */
const folderOf = (id: string) => id.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
const SCHEME_FOLDERS = SCHEME_IDS.map((id) => `schemes/${folderOf(id)}/`);

/** The source files outside every scheme's own folder, compiled once with the project's options. */
function program(): ts.Program {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!config) throw new Error('tsconfig.json did not parse');
  return ts.createProgram({ rootNames: config.fileNames.filter((file) => file.startsWith(`${SRC}${path.sep}`)), options: config.options });
}

/** Each source file outside the scheme folders (relative to src/), with its syntax tree. */
function sharedSourceFiles(compiled: ts.Program): Array<{ file: string; source: ts.SourceFile }> {
  return compiled
    .getSourceFiles()
    .map((source) => ({ file: path.relative(SRC, source.fileName).split(path.sep).join('/'), source }))
    .filter(({ file }) => !file.startsWith('..') && !SCHEME_FOLDERS.some((folder) => file.startsWith(folder)));
}

function visit(node: ts.Node, each: (node: ts.Node) => void): void {
  each(node);
  ts.forEachChild(node, (child) => visit(child, each));
}

/** Whether `type` accepts every scheme id: the type a value naming a scheme id is given. */
function acceptsEverySchemeId(type: ts.Type | undefined): boolean {
  if (!type) return false;
  const literals = new Set((type.isUnion() ? type.types : [type]).filter((part) => part.isStringLiteral()).map((part) => (part as ts.StringLiteralType).value));
  return IDS.every((id) => literals.has(id));
}

/**
 * The scheme ids a file names as values: string literals where a scheme id is expected (an
 * argument, a property, a comparison or a `case` against one), so `'cookie'` as a token kind
 * or `'basic'` as a challenge does not count.
 */
function schemeIdValues(source: ts.SourceFile, checker: ts.TypeChecker): Set<string> {
  const named = new Set<string>();
  visit(source, (node) => {
    if (!(ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) || !IDS.includes(node.text)) return;
    const { parent } = node;
    let expected = checker.getContextualType(node);
    if (!expected && ts.isBinaryExpression(parent)) expected = checker.getTypeAtLocation(parent.left === node ? parent.right : parent.left);
    if (!expected && ts.isCaseClause(parent)) expected = checker.getTypeAtLocation(parent.parent.parent.expression);
    if (acceptsEverySchemeId(expected)) named.add(node.text);
  });
  return named;
}

/** Every scheme id a file names at all: as a string, a property key or a literal type. */
function schemeIdsNamed(source: ts.SourceFile): Set<string> {
  const named = new Set<string>();
  visit(source, (node) => {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && IDS.includes(node.text)) named.add(node.text);
    if (ts.isIdentifier(node) && IDS.includes(node.text) && (ts.isPropertyAssignment(node.parent) || ts.isPropertySignature(node.parent)) && node.parent.name === node) {
      named.add(node.text);
    }
  });
  return named;
}

/** The section of ARCHITECTURE.md under `heading`. */
function section(heading: string): string {
  const start = ARCHITECTURE.indexOf(`\n## ${heading}\n`);
  if (start === -1) throw new Error(`ARCHITECTURE.md has no "## ${heading}"`);
  const end = ARCHITECTURE.indexOf('\n## ', start + 1);
  return ARCHITECTURE.slice(start, end === -1 ? undefined : end);
}

/** The files a recipe's numbered steps name in bold, e.g. `1. **`src/schemes/ids.ts`**`. */
const recipeFiles = (text: string) => [...text.matchAll(/^\d+\. \*\*`([^`]+)`\*\*/gm)].map((match) => match[1]);

/** The number a recipe states, as "touches N files". */
function statedCount(text: string): number {
  const match = /touches (\w+) files?/.exec(text);
  if (!match) throw new Error('the recipe states no "touches N files"');
  const words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
  return words.includes(match[1]) ? words.indexOf(match[1]) : Number(match[1]);
}

describe('the code keeps the architecture', () => {
  const compiled = program();
  const checker = compiled.getTypeChecker();
  const shared = sharedSourceFiles(compiled);

  it('every scheme lives in its own folder, with its definition, detection, strategy', () => {
    for (const id of SCHEME_IDS) {
      for (const file of ['index.ts', 'detection.ts', 'strategy.ts']) {
        expect(existsSync(path.join(SRC, 'schemes', folderOf(id), file))).toBe(true);
      }
    }
  });

  it('outside the scheme folders, only these files name a scheme id as a value (each for a reason of its own)', () => {
    const naming = Object.fromEntries(
      shared.map(({ file, source }) => [file, [...schemeIdValues(source, checker)].sort()] as const).filter(([, ids]) => ids.length > 0),
    );
    expect(naming).toEqual({
      // The audit events name the scheme a login or token is for.
      'events.ts': ['apiKey', 'appUserUrl', 'cookie', 'jwt', 'sessionToken'],
      // The password login hands out a cookie or a session token, and reports its refusals as theirs.
      'routes/login.ts': ['cookie', 'sessionToken'],
      // Every login path ends here: its audit events name the cookie or the JWT it issued.
      'routes/issue-login.ts': ['cookie', 'jwt'],
      // The JWT endpoints report refusals as the jwt scheme's.
      'routes/jwt-authenticate.ts': ['jwt'],
      'routes/jwt-refresh.ts': ['jwt'],
      'routes/jwt-verify.ts': ['jwt'],
      // Re-authentication of a JWT hands out a pair: its audit event and its OpenAPI answer name the jwt scheme.
      'routes/reauthenticate.ts': ['jwt'],
    });
  });

  it('"How to add a scheme" lists exactly the files that name every scheme, and counts them', () => {
    const everyScheme = shared
      .filter(({ source }) => IDS.every((id) => schemeIdsNamed(source).has(id)))
      .map(({ file }) => `src/${file}`)
      .sort();
    const recipe = section('How to add a scheme');
    const files = recipeFiles(recipe);
    const outsideFolder = files.filter((file) => !file.startsWith('src/schemes/mutual-tls/'));
    expect(outsideFolder.filter((file) => file.startsWith('src/')).sort()).toEqual(everyScheme);
    expect(statedCount(recipe)).toBe(outsideFolder.length);
  });

  it('every store shipped as an entry point passes the conformance kit in a test of its own, as "How to add a store" says', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, { require?: { default: string } }> };
    const stores = Object.values(pkg.exports)
      .map((entry) => (typeof entry === 'object' ? entry.require?.default : undefined))
      .map((target) => /^\.\/dist\/store\/([a-z-]+)\.js$/.exec(target ?? '')?.[1])
      .filter((name): name is string => name !== undefined && name !== 'conformance');
    expect(stores.sort()).toEqual(['postgres', 'redis']);
    for (const store of [...stores, 'memory']) {
      expect(existsSync(path.join(ROOT, 'test', `store.conformance.${store}.test.ts`))).toBe(true);
    }
    const recipe = section('How to add a store');
    expect(statedCount(recipe)).toBe(recipeFiles(recipe).length);
    for (const file of recipeFiles(recipe).filter((name) => !name.includes('<'))) expect(existsSync(path.join(ROOT, file))).toBe(true);
  });
});

describe('ARCHITECTURE.md matches the code', () => {
  it('names only paths that exist (placeholders such as <id> aside)', () => {
    const named = [...ARCHITECTURE.matchAll(/`((?:src|test)\/[^`\s]+)`/g)].map((match) => match[1]);
    expect(named.length).toBeGreaterThan(20);
    const concrete = named.filter((file) => !file.includes('<') && !file.includes('mutual-tls') && !file.includes('*'));
    expect(concrete.filter((file) => !existsSync(path.join(ROOT, file)))).toEqual([]);
  });

  it('its layer table lists the layers the import-direction test enforces, top first, each path in its layer', () => {
    const rows = [...section('Layers').matchAll(/^\| ([a-z ]+) \| (.+?) \|/gm)].filter(([, name]) => name !== 'layer');
    expect(rows.map(([, name]) => name)).toEqual(LAYERS.map((layer) => layer.name).reverse());
    for (const [, name, where] of rows) {
      const layer = LAYERS.findIndex((candidate) => candidate.name === name);
      for (const [, file] of where.matchAll(/`src\/([^`<*]+)`/g)) {
        expect({ file, layer: LAYERS[layerOf(file)]?.name }).toEqual({ file, layer: LAYERS[layer].name });
      }
    }
  });
});
