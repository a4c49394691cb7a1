// Paths into a document, kept as segments so positions can be looked up and rendered alike.

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

/** ["spec", "faults", 1, "target"] -> "spec.faults[1].target" */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Does `path` lie at or under `prefix`? */
export function isUnder(path: Path, prefix: Path): boolean {
  if (prefix.length > path.length) return false;
  return prefix.every((seg, i) => seg === path[i]);
}
