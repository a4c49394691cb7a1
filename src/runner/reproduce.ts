// How to replay a run from a shell: the reproduce line every failing run and sweep prints. Kept apart
// from the runner so that commands can write it without loading the simulator.

/**
 * The command that replays a run, written to paste into bash and zsh alike: every --set value is in
 * single quotes (zsh reads an unquoted `spec.slos[0].max=5m` as a glob and stops with "no matches
 * found"), and so is a path with any character a shell treats specially.
 */
export function reproduceCommand(
  seed: number,
  r: { scenarioArg?: string; sets?: readonly string[]; allowLarge?: boolean } | undefined,
): string {
  const parts = ['hasim', 'run'];
  if (r?.scenarioArg) parts.push(shellQuote(r.scenarioArg));
  parts.push('--seed', String(seed));
  for (const s of r?.sets ?? []) parts.push('--set', singleQuote(s));
  if (r?.allowLarge) parts.push('--allow-large');
  return parts.join(' ');
}

/** A word as it is when no shell can read anything else into it; otherwise single-quoted. */
export function shellQuote(s: string): string {
  return /^[\w@%+:,./-]+$/.test(s) ? s : singleQuote(s);
}

function singleQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
