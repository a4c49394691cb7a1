// "did you mean" suggestions for misspelt keys, enum values and names. Optimal string alignment
// (Damerau-Levenshtein without repeated edits of a substring) counts a swap of two neighbouring
// letters as one typo, which is the commonest slip ("nodeMonitorGracePeirod").

export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = [];
  for (let i = 0; i < rows; i++) {
    d.push(new Array<number>(cols).fill(0));
    d[i][0] = i;
  }
  for (let j = 0; j < cols; j++) d[0][j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}

/**
 * The closest candidate, if it is close enough to be a typo: at most 1 edit for short words, 2 for
 * words of 6+ letters, 3 for 12+. Case differences count as half an edit so "deployment" finds
 * "Deployment". Ties go to the first candidate in the given order.
 */
export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const candidate of candidates) {
    // Lists of names may hold the gaps of invalid entries (already reported on their own).
    if (typeof candidate !== 'string' || typeof input !== 'string' || candidate === input) continue;
    const exact = editDistance(input, candidate);
    const folded = editDistance(input.toLowerCase(), candidate.toLowerCase());
    const score = Math.min(exact, folded + 0.5);
    if (score < bestScore) {
      bestScore = score;
      best = candidate;
    }
  }
  if (best === undefined) return undefined;
  const len = Math.max(input.length, best.length);
  const allowed = len >= 12 ? 3 : len >= 6 ? 2 : 1;
  return bestScore <= allowed ? best : undefined;
}

/** ` (did you mean "x"?)` or the empty string. */
export function didYouMeanSuffix(input: string, candidates: Iterable<string>): string {
  const suggestion = didYouMean(input, candidates);
  return suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`;
}

/** "a, b, c" — or the first `max` then ", ... (N in all)" so messages stay one readable line. */
export function listNames(names: readonly string[], max = 8): string {
  if (names.length === 0) return 'none';
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')}, ... (${names.length} in all)`;
}
