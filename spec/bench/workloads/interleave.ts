import type { RunContext } from './context.js';

/**
 * Measures every subject in turn, `repetitions` times over (A B C A B C …), so that background load
 * that comes and goes on a shared machine falls on all subjects alike instead of on whichever ran
 * while it lasted. A subject that fails is recorded and left out of the later turns; the others go on.
 */
export async function interleave<S, R>(
  context: RunContext,
  workload: string,
  subjects: readonly S[],
  repetitions: number,
  measure: (subject: S, repetition: number) => Promise<R>,
  describe: (subject: S) => string,
): Promise<Map<S, R[]>> {
  const results = new Map<S, R[]>(subjects.map((subject) => [subject, []]));
  const failed = new Set<S>();
  for (let repetition = 0; repetition < repetitions; repetition += 1) {
    for (const subject of subjects) {
      if (failed.has(subject)) continue;
      try {
        results.get(subject)?.push(await measure(subject, repetition));
      } catch (error) {
        failed.add(subject);
        results.delete(subject);
        const message = error instanceof Error ? error.message : String(error);
        context.failures.push({ workload, subject: describe(subject), error: message });
        context.log(`  ${workload} ${describe(subject)} FAILED: ${message}`);
      }
    }
  }
  return results;
}
