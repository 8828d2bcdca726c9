// docs/mcp.md's tool list is generated from the MCP tools (and so from the admin API's
// declarations): it must be up to date.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MCP_DOC, renderMcpDoc } from "../../scripts/mcp-reference.ts";

describe("docs/mcp.md", () => {
  it("lists the tools as they are (else: npm run docs:mcp)", () => {
    const current = readFileSync(MCP_DOC, "utf8");
    expect(
      current === renderMcpDoc(current),
      "docs/mcp.md is stale: run npm run docs:mcp and commit it",
    ).toBe(true);
  });
});
