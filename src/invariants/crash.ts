/** Whether the run has crashed: an actor's step asserted a condition that did not hold (an
 *  oops), which the lowering records in the crash record. EventuallyResolved accepts those as
 *  ends. Read from the record itself, not rebuilt from the asserting steps: a state where a
 *  step *would* oops has not oopsed, and the reduction (footprint.ts) can see that a property
 *  of the form "crashed or ..." holds at every crash state. */
import { lit, ne, v } from '../ir/dsl';
import { CRASH, type Actor, type Expr } from '../ir/types';

export function crashedExpr(actors: readonly Actor[]): Expr {
  const asserts = actors.some((a) => a.steps.some((st) => st.branches.some((b) => (b.asserts ?? []).length > 0)));
  return asserts ? ne(v(CRASH), 'none') : lit(0);
}
