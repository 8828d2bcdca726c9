// Tells the runtime types what the main module exports, so `exports` and `ctx.exports` are typed.
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("./index.ts");
    durableNamespaces: "ServiceObject" | "RegistryObject" | "StatsObject";
  }
}
