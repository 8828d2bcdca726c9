// Slack's Block Kit rules a message must keep, as far as they can be checked offline (from
// api.slack.com/reference/block-kit): a fallback `text`, at most 50 blocks of known types, header
// plain_text ≤ 150 characters, section text ≤ 3000, at most 10 fields of ≤ 2000, context of at
// most 10 elements, mrkdwn or plain_text objects only. Returns every violation, empty when valid.

const BLOCK_TYPES = new Set(["header", "section", "context", "divider", "actions"]);

type Json = Record<string, unknown>;

function textObject(value: unknown, where: string, max: number, kinds = ["plain_text", "mrkdwn"]) {
  const problems: string[] = [];
  const text = value as Json | undefined;
  if (!text || typeof text !== "object") return [`${where}: missing text object`];
  if (!kinds.includes(String(text.type))) problems.push(`${where}.type: ${String(text.type)}`);
  if (typeof text.text !== "string" || text.text.length === 0)
    problems.push(`${where}.text: empty`);
  else if (text.text.length > max) problems.push(`${where}.text: ${text.text.length} > ${max}`);
  return problems;
}

export function blockKitProblems(message: unknown): string[] {
  const problems: string[] = [];
  const body = message as Json;
  if (typeof body?.text !== "string" || body.text.length === 0)
    problems.push("text: a fallback text is required");
  else if (body.text.length > 40_000) problems.push("text: over 40000 characters");
  const blocks = body?.blocks;
  if (!Array.isArray(blocks)) return [...problems, "blocks: not an array"];
  if (blocks.length > 50) problems.push(`blocks: ${blocks.length} > 50`);
  blocks.forEach((raw, i) => {
    const block = raw as Json;
    const where = `blocks[${i}]`;
    if (!BLOCK_TYPES.has(String(block.type))) {
      problems.push(`${where}.type: ${String(block.type)} is not a block type`);
      return;
    }
    if (block.type === "header")
      problems.push(...textObject(block.text, `${where}.text`, 150, ["plain_text"]));
    if (block.type === "section") {
      const fields = block.fields as unknown[] | undefined;
      if (block.text === undefined && !fields) problems.push(`${where}: needs text or fields`);
      if (block.text !== undefined) problems.push(...textObject(block.text, `${where}.text`, 3000));
      if (fields) {
        if (fields.length > 10) problems.push(`${where}.fields: ${fields.length} > 10`);
        fields.forEach((f, j) => {
          problems.push(...textObject(f, `${where}.fields[${j}]`, 2000));
        });
      }
    }
    if (block.type === "context") {
      const elements = block.elements as unknown[];
      if (!Array.isArray(elements) || elements.length === 0 || elements.length > 10)
        problems.push(`${where}.elements: 1 to 10 needed`);
      else
        elements.forEach((e, j) => {
          problems.push(...textObject(e, `${where}.elements[${j}]`, 3000));
        });
    }
  });
  return problems;
}
