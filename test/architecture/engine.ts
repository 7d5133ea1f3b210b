// The import-rule engine behind test/architecture.test.ts and bench/imports.ts.
//
// Imports are read with the TypeScript compiler's own parser (already a dev dependency), so every
// form is seen and nothing in a comment or string is mistaken for one: `import x from`,
// `import type`, `export … from`, side-effect `import 'm'`, `import m = require('m')`, dynamic
// `import('m')`, `require('m')`, and type-position `import('m').T`. The folder-graph parts (strongly
// connected components, upward arrows) are hand-written: Tarjan's algorithm is ~30 lines and a
// graph package would be a new shared dependency for it.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join, posix } from 'node:path';
import ts from 'typescript';
import type { Deps, FolderRule } from './deps.js';

export type ImportKind =
  | 'import'
  | 'import type'
  | 'side-effect import'
  | 'export from'
  | 'export type from'
  | 'import = require'
  | 'dynamic import'
  | 'require'
  | 'type import()';

export interface ImportRef {
  spec: string;
  kind: ImportKind;
  line: number;
}

/** Every import of a TypeScript source text, in order; computed specifiers are reported as `<computed>`. */
export function importsOf(fileName: string, text: string): ImportRef[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out: ImportRef[] = [];
  const add = (node: ts.Node, spec: ts.Node | undefined, kind: ImportKind) => {
    const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
    const value = spec && (ts.isStringLiteral(spec) || ts.isNoSubstitutionTemplateLiteral(spec)) ? spec.text : '<computed>';
    out.push({ spec: value, kind, line });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      add(node, node.moduleSpecifier, !clause ? 'side-effect import' : clause.isTypeOnly ? 'import type' : 'import');
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      add(node, node.moduleSpecifier, node.isTypeOnly ? 'export type from' : 'export from');
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression, 'import = require');
    } else if (ts.isCallExpression(node)) {
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node, node.arguments[0], 'dynamic import');
      else if (ts.isIdentifier(node.expression) && node.expression.text === 'require') add(node, node.arguments[0], 'require');
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      add(node, ts.isLiteralTypeNode(arg) ? arg.literal : undefined, 'type import()');
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** What an import points at: a project file (repo-relative, `.ts`), an npm package, or a Node built-in. */
export type Target =
  | { kind: 'project'; path: string }
  | { kind: 'npm'; pkg: string }
  | { kind: 'builtin'; name: string }
  | { kind: 'computed' };

export function targetOf(file: string, spec: string): Target {
  if (spec === '<computed>') return { kind: 'computed' };
  if (spec.startsWith('.') || spec.startsWith('/')) {
    const path = posix.normalize(posix.join(posix.dirname(file), spec)).replace(/\.js$/, '.ts');
    return { kind: 'project', path };
  }
  if (spec.startsWith('node:') || isBuiltin(spec)) return { kind: 'builtin', name: spec };
  const parts = spec.split('/');
  return { kind: 'npm', pkg: spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]! };
}

/** The table folder a repo path belongs to: the longest key that is a prefix of it (whole segments). */
export function folderOf(path: string, deps: Deps): string | undefined {
  let best: string | undefined;
  for (const key of Object.keys(deps)) {
    if (key === '*') continue;
    if ((path === key || path.startsWith(key + '/')) && (!best || key.length > best.length)) best = key;
  }
  return best;
}

/** `pattern` matches `name` exactly, as a folder (`a/b/` or `a/b`), or as a prefix glob (`a/db*`). */
export function matches(pattern: string, name: string): boolean {
  if (pattern.endsWith('*')) return name.startsWith(pattern.slice(0, -1));
  if (pattern.endsWith('/')) return name.startsWith(pattern);
  return name === pattern || name.startsWith(pattern + '/');
}

export interface Violation {
  file: string;
  line: number;
  spec: string;
  kind: ImportKind;
  /** What the import resolves to: a repo path, an npm package name, or the spec itself. */
  target: string;
  rule: string;
}

/** `file:line <form> '<spec>' → <target> — rule: …` */
export function formatViolation(v: Violation): string {
  const to = v.target && v.target !== v.spec ? ` → ${v.target}` : '';
  return `${v.file}:${v.line} ${v.kind} '${v.spec}'${to} — ${v.rule}`;
}

/** The key of a violation in the PENDING list: `file → target`. */
export function pendingKey(v: Pick<Violation, 'file' | 'target'>): string {
  return `${v.file} → ${v.target}`;
}

function describeAllowed(folder: string, rule: FolderRule): string {
  const may = rule.may.length ? rule.may.join(', ') : 'nothing else of the project';
  const npm = rule.npm.length ? rule.npm.join(', ') : 'no npm package';
  return `${folder}/ may import only ${may}; ${npm}; node: built-ins`;
}

/** The violations of one file's imports against the table. */
export function checkFile(file: string, text: string, deps: Deps): Violation[] {
  return checkImports(file, importsOf(file, text), deps);
}

/** The violations of already-parsed imports of `file` against the table. */
export function checkImports(file: string, refs: readonly ImportRef[], deps: Deps): Violation[] {
  const out: Violation[] = [];
  const folder = folderOf(file, deps);
  if (!folder) {
    return [{ file, line: 1, spec: '', kind: 'import', target: '', rule: `file is in no folder of the DEPS table (test/architecture/deps.ts): add its folder and what it may import` }];
  }
  const rule = deps[folder]!;
  for (const ref of refs) {
    const target = targetOf(file, ref.spec);
    const name = target.kind === 'project' ? target.path : target.kind === 'npm' ? target.pkg : ref.spec;
    const v = (r: string) => out.push({ file, line: ref.line, spec: ref.spec, kind: ref.kind, target: name, rule: r });
    if (target.kind === 'computed') {
      if (rule.userModules?.includes(file)) continue;
      v('a computed specifier cannot be checked: use a string literal');
      continue;
    }
    if (target.kind === 'builtin') continue;
    // `never` first: globally and per folder, whatever `may` says.
    const nevers = [
      ...Object.entries(deps['*']?.never ?? {}).map(([p, why]) => ({ who: 'nothing', p, why })),
      ...Object.entries(rule.never ?? {}).map(([p, why]) => ({ who: `${folder}/`, p, why })),
    ];
    const never = nevers.find((n) => matches(n.p, name));
    if (never) {
      v(`rule: ${never.who} ${never.who === 'nothing' ? 'imports' : 'never imports'} ${never.p} (${never.why})`);
      continue;
    }
    if (target.kind === 'npm') {
      if (!rule.npm.some((p) => matches(p, name))) v(`rule: npm package ${name} is not allowed: ${describeAllowed(folder, rule)}`);
      continue;
    }
    const to = folderOf(name, deps);
    if (to === folder) continue;
    if (!rule.may.some((p) => matches(p, name))) v(`rule: ${name} is not allowed: ${describeAllowed(folder, rule)}`);
  }
  return out;
}

/** Every `.ts` source under `dirs` (repo-relative, posix separators), sorted. */
export function sources(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(join(root, dir));
    } catch {
      return;
    }
    for (const name of names) {
      const rel = posix.join(dir, name);
      if (statSync(join(root, rel)).isDirectory()) walk(rel);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(rel);
    }
  };
  dirs.forEach(walk);
  return out.sort();
}

/** One file-level import that makes a folder arrow. */
export interface Via {
  file: string;
  line: number;
  target: string;
  /** Listed in PENDING (a known violation being removed). */
  pending: boolean;
}

/** One import between two table folders, with every file-level import that makes it. */
export interface Arrow {
  from: string;
  to: string;
  via: Via[];
}

export interface Scan {
  files: string[];
  violations: (Violation & { pending: boolean })[];
  arrows: Arrow[]; // folder → folder (no self-arrows), sorted
}

/** Reads every source under `dirs` and checks it; builds the folder graph at the same time. */
export function scan(root: string, dirs: readonly string[], deps: Deps, pending: readonly string[] = []): Scan {
  const known = new Set(pending);
  const files = sources(root, dirs);
  const violations: Scan['violations'] = [];
  const arrows = new Map<string, Arrow>();
  for (const file of files) {
    const refs = importsOf(file, readFileSync(join(root, file), 'utf8'));
    const found = checkImports(file, refs, deps);
    violations.push(...found.map((v) => ({ ...v, pending: known.has(pendingKey(v)) })));
    const from = folderOf(file, deps);
    if (!from) continue;
    for (const ref of refs) {
      const t = targetOf(file, ref.spec);
      if (t.kind !== 'project') continue;
      const to = folderOf(t.path, deps) ?? t.path.split('/').slice(0, t.path.startsWith('src/') ? 2 : 1).join('/');
      if (to === from) continue;
      const key = `${from}\u0000${to}`;
      if (!arrows.has(key)) arrows.set(key, { from, to, via: [] });
      arrows.get(key)!.via.push({ file, line: ref.line, target: t.path, pending: known.has(pendingKey({ file, target: t.path })) });
    }
  }
  return { files, violations, arrows: [...arrows.values()].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to)) };
}

/** The graph without the imports listed in PENDING (an arrow made only of pending imports disappears). */
export function withoutPending(arrows: readonly Arrow[]): Arrow[] {
  return arrows.map((a) => ({ ...a, via: a.via.filter((v) => !v.pending) })).filter((a) => a.via.length > 0);
}

/** `file:line → target` for printing. */
export function formatVia(v: Via): string {
  return `${v.file}:${v.line} → ${v.target}${v.pending ? ' (pending)' : ''}`;
}

/** Rank of a folder in the layering order (index of its layer), or undefined when it has none. */
export function rankOf(folder: string, layers: readonly (readonly string[])[]): number | undefined {
  const i = layers.findIndex((l) => l.includes(folder));
  return i < 0 ? undefined : i;
}

/** Arrows that point up the layering order: a lower layer importing a higher one. */
export function upwardArrows(arrows: readonly Arrow[], layers: readonly (readonly string[])[]): Arrow[] {
  return arrows.filter((a) => {
    const f = rankOf(a.from, layers);
    const t = rankOf(a.to, layers);
    return f !== undefined && t !== undefined && t > f;
  });
}

/**
 * The import cycles between folders: for each strongly connected component with more than one
 * folder (Tarjan 1972), one concrete cycle through it, as a path that starts and ends at the same
 * folder (a → b → … → a), found by a breadth-first search inside the component.
 */
export function cycles(arrows: readonly Arrow[]): string[][] {
  const succ = new Map<string, string[]>();
  for (const a of arrows) {
    if (!succ.has(a.from)) succ.set(a.from, []);
    if (!succ.has(a.to)) succ.set(a.to, []);
    succ.get(a.from)!.push(a.to);
  }
  const nodes = [...succ.keys()].sort();
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const comps: string[][] = [];
  let next = 0;
  const strong = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of succ.get(v)!) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) comps.push(comp.sort());
    }
  };
  for (const v of nodes) if (!index.has(v)) strong(v);
  return comps.map((comp) => {
    const inComp = new Set(comp);
    const start = comp[0]!;
    // Shortest path from start back to start, staying inside the component.
    const prev = new Map<string, string>();
    const queue = [start];
    const seen = new Set<string>();
    let last: string | undefined;
    while (queue.length && !last) {
      const v = queue.shift()!;
      for (const w of succ.get(v)!) {
        if (!inComp.has(w)) continue;
        if (w === start) {
          last = v;
          break;
        }
        if (!seen.has(w)) {
          seen.add(w);
          prev.set(w, v);
          queue.push(w);
        }
      }
    }
    const path = [start];
    for (let v = last; v && v !== start; v = prev.get(v)) path.splice(1, 0, v);
    path.push(start);
    return path;
  }).sort((a, b) => a.join(' ').localeCompare(b.join(' ')));
}
