// Runs a resource's compiled rules in manifest order: the first rejecting rule wins; flag rules
// that hold are collected. A rule that cannot be evaluated (overflow) rejects, by its own name.
import type { Queryable } from "../db/database.js";
import { RuleError, type RuleInput } from "./runtime.js";

export interface CompiledRule {
  readonly name: string;
  readonly action: "reject" | "flag";
  readonly message: string;
  readonly when: (input: RuleInput) => boolean;
  readonly load: (tx: Queryable, fields: Readonly<Record<string, unknown>>) => Promise<RuleInput>;
}

export interface Verdict {
  readonly rejectedBy: CompiledRule | undefined;
  /** The reason a rejection happened: the rule's message, or why it could not be evaluated. */
  readonly detail: string;
  readonly flags: string[];
}

export async function evaluateRules(rules: readonly CompiledRule[], tx: Queryable, fields: Readonly<Record<string, unknown>>): Promise<Verdict> {
  const flags: string[] = [];
  for (const rule of rules) {
    const input = await rule.load(tx, fields);
    let holds: boolean;
    try {
      holds = rule.when(input);
    } catch (err) {
      if (err instanceof RuleError) return { rejectedBy: rule, detail: `${rule.message} (${err.message})`, flags };
      throw err;
    }
    if (!holds) continue;
    if (rule.action === "reject") return { rejectedBy: rule, detail: rule.message, flags };
    flags.push(rule.name);
  }
  return { rejectedBy: undefined, detail: "", flags };
}
