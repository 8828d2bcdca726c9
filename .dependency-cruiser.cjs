// Structure rules checked by test/unit/structure.test.ts (and `npx depcruise --config
// .dependency-cruiser.cjs worker schemas admin-cli scripts bench test`): no import circles, type
// imports included (tsPreCompilationDeps), parsed with swc since TypeScript 7 has no JS API; and
// the layers of docs/architecture.md (tests may reach across them: they check layers agree).
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment:
        "Modules that import each other (types included) cannot be understood or changed alone.",
      from: {},
      to: { circular: true },
    },
    {
      name: "core-is-pure",
      severity: "error",
      comment:
        "The core decides (routing, ledger, judge) and is tested in plain Node: it reads no binding and knows no surface.",
      from: { path: "^worker/core/", pathNot: "\\.test\\.ts$" },
      to: { path: "^worker/(admin|control-plane|data-plane|ui|index|cron|contracts|env)" },
    },
    {
      name: "data-plane-stands-alone",
      severity: "error",
      comment:
        "The request path must not evaluate the control plane, the admin API or the status page: a fresh isolate pays for every module it loads.",
      from: { path: "^worker/data-plane/", pathNot: "\\.test\\.ts$" },
      to: { path: "^worker/(admin|control-plane|ui)/" },
    },
    {
      name: "control-plane-below-admin",
      severity: "error",
      comment:
        "The Durable Objects are the single writers; the admin API and the status page call them, never the other way round.",
      from: { path: "^worker/control-plane/", pathNot: "\\.test\\.ts$" },
      to: { path: "^worker/(admin|ui)/" },
    },
    {
      name: "schemas-are-contracts",
      severity: "error",
      comment:
        "schemas/ declares what crosses a boundary; it depends on nothing the Worker or the CLI holds.",
      from: { path: "^schemas/", pathNot: "\\.test\\.ts$" },
      to: { path: "^(worker|admin-cli|scripts|bench|test)/" },
    },
    {
      name: "cli-talks-http",
      severity: "error",
      comment:
        "The CLI reaches the product over the admin API only: it shares schemas, never the Worker's code.",
      from: { path: "^admin-cli/", pathNot: "\\.test\\.ts$" },
      to: { path: "^worker/(admin|control-plane|data-plane|ui|index|cron|contracts)" },
    },
  ],
  options: {
    parser: "swc",
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
    exclude: { path: "node_modules" },
  },
};
