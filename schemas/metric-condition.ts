// The condition language of analysis metrics (`result < 0.01`, `result[0] >= 5 && result[1] < 3`):
// a fixed grammar parsed here once, evaluated over plain numbers. Nothing is compiled to code: a
// config cannot run anything, and the Workers runtime refuses eval and new Function anyway.
//
//   condition  := conjunction ( "||" conjunction )*
//   conjunction := comparison ( "&&" comparison )*
//   comparison := operand op operand        op: < <= > >= == !=
//   operand    := "result" | "result[" index "]" | number

export type Operand = { kind: "result"; index: number } | { kind: "number"; value: number };

export interface Comparison {
  left: Operand;
  op: "<" | "<=" | ">" | ">=" | "==" | "!=";
  right: Operand;
}

/** Comparisons ORed over groups that are ANDed (&& binds tighter than ||). */
export type ParsedCondition = Comparison[][];

export type ConditionParse =
  | { ok: true; condition: ParsedCondition }
  | { ok: false; error: string };

const MAX_CONDITION_LENGTH = 256;

const TOKEN =
  /\s*(result\[\s*(\d+)\s*\]|result|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|<=|>=|==|!=|<|>|&&|\|\|)/iy;
const OPERATORS = new Set(["<", "<=", ">", ">=", "==", "!="]);

function operandOf(token: string, index: string | undefined): Operand | undefined {
  if (token === "result") return { kind: "result", index: 0 };
  if (index !== undefined) return { kind: "result", index: Number(index) };
  const value = Number(token);
  return Number.isFinite(value) ? { kind: "number", value } : undefined;
}

/** Parses a condition, or says in words what is wrong and where. */
export function parseCondition(text: string): ConditionParse {
  if (text.length > MAX_CONDITION_LENGTH)
    return { ok: false, error: `longer than ${MAX_CONDITION_LENGTH} characters` };
  const tokens: { text: string; index: string | undefined; at: number }[] = [];
  TOKEN.lastIndex = 0;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    TOKEN.lastIndex = at;
    const match = TOKEN.exec(text);
    if (!match) {
      const rest = text.slice(at).trim();
      return {
        ok: false,
        error: `cannot read "${rest.slice(0, 20)}" at character ${text.length - rest.length + 1}: write comparisons like result < 0.01 or result[1] >= 5, joined by && or ||`,
      };
    }
    tokens.push({ text: match[1]!.toLowerCase(), index: match[2], at });
    at = TOKEN.lastIndex;
  }
  if (tokens.length === 0)
    return { ok: false, error: "is empty: write a comparison like result < 0.01" };
  const groups: ParsedCondition = [[]];
  for (let i = 0; i < tokens.length; i += 4) {
    const [left, op, right, joiner] = [tokens[i], tokens[i + 1], tokens[i + 2], tokens[i + 3]];
    const l = left && operandOf(left.text, left.index);
    const r = right && operandOf(right.text, right.index);
    if (!l || !op || !OPERATORS.has(op.text) || !r)
      return {
        ok: false,
        error: `expected a comparison (result < 0.01) at "${text
          .slice(left?.at ?? text.length)
          .trim()
          .slice(0, 20)}"`,
      };
    if (l.kind === "number" && r.kind === "number")
      return { ok: false, error: "compares two numbers: one side must be result or result[N]" };
    groups.at(-1)!.push({ left: l, op: op.text as Comparison["op"], right: r });
    if (joiner === undefined) break;
    if (joiner.text === "||") groups.push([]);
    else if (joiner.text !== "&&")
      return { ok: false, error: `expected && or || after a comparison, not "${joiner.text}"` };
    if (i + 4 >= tokens.length) return { ok: false, error: `ends with ${joiner.text}` };
  }
  return { ok: true, condition: groups };
}

function operandValue(operand: Operand, result: readonly number[]): number | undefined {
  return operand.kind === "number" ? operand.value : result[operand.index];
}

function compare(a: number, op: Comparison["op"], b: number): boolean {
  switch (op) {
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    case "==":
      return a === b;
    case "!=":
      return a !== b;
  }
}

/** true or false, or undefined when the result lacks a value the condition reads (no data). */
export function evaluateCondition(
  condition: ParsedCondition,
  result: readonly number[],
): boolean | undefined {
  for (const comparison of condition.flat()) {
    const left = operandValue(comparison.left, result);
    const right = operandValue(comparison.right, result);
    if (left === undefined || right === undefined || Number.isNaN(left) || Number.isNaN(right))
      return undefined;
  }
  return condition.some((group) =>
    group.every((c) =>
      compare(operandValue(c.left, result)!, c.op, operandValue(c.right, result)!),
    ),
  );
}
