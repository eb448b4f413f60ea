/** The crash record of a model: the states where an oops happens (an actor sits at a step whose
 *  branch asserts a condition that does not hold). EventuallyResolved accepts those as ends. */
import { and, at, not, or } from '../ir/dsl';
import type { Actor, Expr } from '../ir/types';

export function crashedExpr(actors: readonly Actor[]): Expr {
  const parts: Expr[] = [];
  for (const a of actors) {
    const slots = a.over ? (a.slots ?? []) : [undefined];
    for (const st of a.steps) {
      for (const b of st.branches) {
        for (const as of b.asserts ?? []) {
          for (const s of slots) {
            const cond = s === undefined ? as.cond : substSelf(as.cond, s);
            const g = b.guard ? (s === undefined ? b.guard : substSelf(b.guard, s)) : undefined;
            parts.push(and(at(a.name, s, st.label), ...(g ? [g] : []), not(cond)));
          }
        }
      }
    }
  }
  return or(...parts);
}

/** Replace the parameter `self` by a slot literal. */
function substSelf(e: Expr, slot: number): Expr {
  switch (e.kind) {
    case 'param': return e.name === 'self' ? { kind: 'lit', value: slot } : e;
    case 'var': return e.index ? { ...e, index: substSelf(e.index, slot) } : e;
    case 'not': return { ...e, arg: substSelf(e.arg, slot) };
    case 'bin': return { ...e, left: substSelf(e.left, slot), right: substSelf(e.right, slot) };
    case 'ite': return { ...e, cond: substSelf(e.cond, slot), then: substSelf(e.then, slot), else: substSelf(e.else, slot) };
    case 'quant': return { ...e, body: substSelf(e.body, slot) };
    case 'at': return e.instance ? { ...e, instance: substSelf(e.instance, slot) } : e;
    default: return e;
  }
}
