// The routing core as the microbenchmarks load it: one esbuild bundle, so calls between core
// modules are plain calls, as in the deployed Worker.
export { compileRouteTable } from "../../worker/core/compile.ts";
export { decideRoute } from "../../worker/core/decide.ts";
export { factsFromDescription } from "../../worker/core/facts.ts";
export { pinToIssue } from "../../worker/core/pin-issue.ts";
export { loadRegexEngine } from "../../worker/core/regex-engine.ts";
