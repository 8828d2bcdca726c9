// Structure rules checked by test/unit/structure.test.ts (and `npx depcruise --config
// .dependency-cruiser.cjs worker schemas admin-cli scripts bench test`): no import circles, type
// imports included (tsPreCompilationDeps), parsed with swc since TypeScript 7 has no JS API.
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
  ],
  options: {
    parser: "swc",
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
    exclude: { path: "node_modules" },
  },
};
