// What a MarkovTaskSet's chain implies, as Locust runs it: where each state can go and how likely, which states a user can reach.
import type { LocustfileModel, MarkovChain, MarkovState, MarkovTransition, TaskSetInfo } from '../protocol/model';

/**
 * Whether Locust ever takes a transition: it expands each weight into that many copies of the target (`range(weight)`), so an
 * entry of 0 or less is never drawn. An unknown weight (not a literal) is taken as drawn.
 */
export function isTaken(transition: MarkovTransition): boolean {
  return transition.weight === null || transition.weight > 0;
}

/** Each drawn target's chance from `state`, in the order written (`null` shares: some weight is not a literal). */
export function outgoingShares(state: MarkovState): { to: string; share: number | null }[] {
  const taken = state.transitions.filter(isTaken);
  const known = taken.every((t) => t.weight !== null);
  const total = taken.reduce((sum, t) => sum + (t.weight ?? 0), 0);
  return taken.map((t) => ({ to: t.to, share: known && total > 0 ? (t.weight ?? 0) / total : null }));
}

/** The states with a drawn transition into `name`, in the chain's order. */
export function incomingStates(chain: MarkovChain, name: string): string[] {
  return chain.states.filter((state) => state.transitions.some((t) => t.to === name && isTaken(t))).map((state) => state.name);
}

/** The states a user can get to from the start state through drawn transitions (the start included); linear in the chain's size. */
export function reachableStates(chain: MarkovChain): Set<string> {
  const byName = new Map(chain.states.map((state) => [state.name, state]));
  const reached = new Set<string>();
  const pending = chain.start === null ? [] : [chain.start];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (reached.has(name)) continue;
    reached.add(name);
    for (const t of byName.get(name)?.transitions ?? []) if (isTaken(t) && !reached.has(t.to) && byName.has(t.to)) pending.push(t.to);
  }
  return reached;
}

/** `→ cart 2, → home 1`: a state's transitions with their weights as written. */
export function describeTransitions(state: MarkovState): string {
  if (state.transitions.length === 0) return 'no transitions';
  return state.transitions.map((t) => `→ ${t.to} ${t.weight ?? '?'}`).join(', ');
}

/** Every MarkovTaskSet of the file (top-level ones and those nested in User classes), each once; not those of other files. */
export function markovTaskSets(model: LocustfileModel): (TaskSetInfo & { markov: MarkovChain })[] {
  const sets = new Set<TaskSetInfo>([...model.taskSets, ...model.users.flatMap((user) => user.taskSets)]);
  return [...sets].filter((set): set is TaskSetInfo & { markov: MarkovChain } => set.markov !== null && !set.uri);
}
