/**
 * The import graph of `src/`, read with the TypeScript compiler's own pre-processor (every
 * `import`, `import type`, `export … from` and `import()` counts: a type-only cycle still ties
 * the files together), and the layers it must respect (ARCHITECTURE.md, "Layers").
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** File → the files it imports, both relative to the source root, with `/` separators. */
export type ImportGraph = ReadonlyMap<string, ReadonlySet<string>>;

/** A layer: its name as ARCHITECTURE.md's table gives it, and the files it holds (`dir/` for a folder). */
export interface Layer {
  name: string;
  files: readonly string[];
}

/**
 * Bottom first: a file may import from its own layer and the layers before it, never from a
 * later one. A file names its layer by path: the first layer with a matching entry wins, so
 * the leaf files inside `schemes/` are listed before the folder.
 */
export const LAYERS: readonly Layer[] = [
  {
    name: 'leaf modules',
    files: [
      'actor.ts', 'authentication-proof.ts', 'bcrypt-limits.ts', 'config-error.ts', 'credential-reference.ts', 'cross-origin.ts', 'errors.ts', 'login.ts',
      'on-first-use.ts', 'openapi-facts.ts', 'request-secure.ts', 'schemes/ids.ts', 'scopes.ts', 'sha256.ts', 'url-credentials.ts',
      'rate-limits/policy.ts', 'rate-limits/options.ts',
    ],
  },
  { name: 'store', files: ['store/'] },
  { name: 'services', files: ['tokens/', 'passwords/', 'second-factor/', 'oidc/', 'events.ts', 'responses.ts', 'jwks-client.ts', 'rate-limits/limiter.ts'] },
  { name: 'schemes', files: ['schemes/', 'detect.ts', 'context.ts', 'resolved-options.ts'] },
  { name: 'middleware', files: ['middleware/'] },
  { name: 'routes', files: ['routes/'] },
  { name: 'construction', files: ['gatehouse.ts', 'options.ts', 'openapi.ts', 'index.ts', 'cli/'] },
];

/** The `.ts` files under `root`, relative to it. */
function sourceFiles(root: string, dir = ''): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(root, relative);
    return entry.name.endsWith('.ts') ? [relative] : [];
  });
}

/** Resolves a relative specifier as the compiler does for these sources: `x.ts`, then `x/index.ts`. */
function resolveRelative(root: string, from: string, specifier: string): string | null {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  for (const candidate of [`${base}.ts`, `${base}/index.ts`, base]) {
    if (candidate.endsWith('.ts') && existsSync(path.join(root, candidate))) return candidate;
  }
  return null;
}

/** Every relative import of every source file under `root` (packages are outside the graph). */
export function importGraph(root: string): ImportGraph {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles(root)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(path.join(root, file), 'utf8'), true, true);
    const targets = new Set<string>();
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = resolveRelative(root, file, fileName);
      if (target === null) throw new Error(`${file}: cannot resolve ${fileName}`);
      // A file naming its own types (actor.ts's global declarations do) ties nothing together.
      if (target !== file) targets.add(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

/** The index in `layers` of the layer holding `file`, or -1 when none does. */
export function layerOf(file: string, layers: readonly Layer[] = LAYERS): number {
  return layers.findIndex((layer) => layer.files.some((entry) => (entry.endsWith('/') ? file.startsWith(entry) : file === entry)));
}

/** Files no layer holds: each must be given one before it can be checked. */
export function filesWithoutLayer(graph: ImportGraph, layers: readonly Layer[] = LAYERS): string[] {
  return [...graph.keys()].filter((file) => layerOf(file, layers) === -1);
}

/** Every import from a layer into a later one, as `from → to (from layer < to layer)`. */
export function upwardImports(graph: ImportGraph, layers: readonly Layer[] = LAYERS): string[] {
  const found: string[] = [];
  for (const [from, targets] of graph) {
    const fromLayer = layerOf(from, layers);
    for (const to of targets) {
      const toLayer = layerOf(to, layers);
      if (toLayer > fromLayer) found.push(`${from} → ${to} (${layers[fromLayer]?.name ?? 'no layer'} < ${layers[toLayer].name})`);
    }
  }
  return found.sort();
}

/** Every set of files that import one another, directly or through others (Tarjan's strongly connected components). */
export function importCycles(graph: ImportGraph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter);
    counter += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.get(file) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(file, Math.min(low.get(file)!, index.get(target)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1) cycles.push(component.sort());
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  return cycles;
}

/** A copy of `graph` with `from` also importing `to`: a planted import, for showing the checks fail. */
export function withImport(graph: ImportGraph, from: string, to: string): ImportGraph {
  const copy = new Map([...graph].map(([file, targets]) => [file, new Set(targets)]));
  copy.get(from)!.add(to);
  return copy;
}
