// Many runs reduced to what a report shows: per scenario and target, the median of each
// number with its spread, and ChatLoop's ratio to each reference measured in the same suite.
export type Result = Record<string, unknown> & { scenario: string; target: string };

export interface Cell {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function cell(results: Result[], scenario: string, target: string, metric: string): Cell | undefined {
  const values = results
    .filter((r) => r.scenario === scenario && r.target === target && typeof r[metric] === "number")
    .map((r) => r[metric] as number)
    .sort((a, b) => a - b);
  if (values.length === 0) return undefined;
  const middle = values.length / 2;
  const median = values.length % 2 ? values[Math.floor(middle)]! : (values[middle - 1]! + values[middle]!) / 2;
  return { median, min: values[0]!, max: values.at(-1)!, runs: values.length };
}

/** ChatLoop's median divided by the target's, e.g. 0.42 (x): the same unit whichever way is better. */
export function ratio(results: Result[], scenario: string, metric: string, reference: string): number | undefined {
  return divide(cell(results, scenario, "chatloop", metric)?.median, cell(results, scenario, reference, metric)?.median);
}

/** ChatLoop's median in `scenario` divided by its median in `baseline`, e.g. 0.79 (x). */
export function ratioToScenario(results: Result[], scenario: string, baseline: string, metric: string): number | undefined {
  return divide(cell(results, scenario, "chatloop", metric)?.median, cell(results, baseline, "chatloop", metric)?.median);
}

const divide = (ours: number | undefined, theirs: number | undefined) => (ours === undefined || !theirs ? undefined : Math.round((ours / theirs) * 100) / 100);

export const total = (results: Result[], scenario: string, target: string, metric: string) =>
  results.filter((r) => r.scenario === scenario && r.target === target).reduce((sum, r) => sum + ((r[metric] as number) ?? 0), 0);
