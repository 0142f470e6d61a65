/**
 * Imports run one way (ARCHITECTURE.md, "Layers"): a file imports from its own layer or the
 * ones below, never from one above, and no files import one another in a circle — type-only
 * imports included, since a type cycle still makes the files one unit to read and to change.
 * The checks run over the real `src/` graph, and over copies of it with an import planted,
 * to show they fail.
 */
import path from 'node:path';
import { filesWithoutLayer, importCycles, importGraph, LAYERS, upwardImports, withImport } from './helpers/import-graph';

const SRC = path.join(__dirname, '..', 'src');
const graph = importGraph(SRC);

describe('the import graph of src/', () => {
  it('has every file in a layer', () => {
    expect(graph.size).toBeGreaterThan(80);
    expect(filesWithoutLayer(graph)).toEqual([]);
  });

  it('has no import from a lower layer into a higher one', () => {
    expect(upwardImports(graph)).toEqual([]);
  });

  it('has no cycle, type-only imports included', () => {
    expect(importCycles(graph)).toEqual([]);
  });
});

describe('the checks fail on a planted import', () => {
  it.each([
    ['store/types.ts', 'schemes/registry.ts', 'store < schemes'],
    ['tokens/token-service.ts', 'schemes/outcome.ts', 'services < schemes'],
    ['events.ts', 'middleware/authenticate.ts', 'services < middleware'],
    ['schemes/jwt/index.ts', 'middleware/render-problem.ts', 'schemes < middleware'],
    ['errors.ts', 'store/guard.ts', 'leaf modules < store'],
  ])('an upward import %s → %s is reported (%s)', (from, to, layers) => {
    expect(graph.get(from)).toBeDefined();
    expect(graph.has(to)).toBe(true);
    expect(upwardImports(withImport(graph, from, to))).toEqual([`${from} → ${to} (${layers})`]);
  });

  it('a cycle within one layer is reported with every file in it', () => {
    // The registry imports every scheme's index, each of which imports the definition types:
    // the definition importing the registry back closes a circle through all of them.
    const planted = withImport(graph, 'schemes/definition.ts', 'schemes/registry.ts');
    expect(upwardImports(planted)).toEqual([]);
    expect(importCycles(planted)).toEqual([
      [
        'schemes/api-key/index.ts', 'schemes/app-user-url/index.ts', 'schemes/basic/index.ts', 'schemes/cookie/index.ts',
        'schemes/definition.ts', 'schemes/jwt/index.ts', 'schemes/registry.ts', 'schemes/session-token/index.ts',
      ],
    ]);
  });

  it('a new file outside every layer is reported', () => {
    const planted = new Map(graph);
    planted.set('plugins/oidc.ts', new Set(['errors.ts']));
    expect(filesWithoutLayer(planted)).toEqual(['plugins/oidc.ts']);
  });

  it('the layers are ordered bottom first, each named once', () => {
    expect(LAYERS.map((layer) => layer.name)).toEqual(['leaf modules', 'store', 'services', 'schemes', 'middleware', 'routes', 'construction']);
  });
});
