// keystone mirror …: shadow traffic.
import { defineGroup, lazy } from "../../command.ts";

export default defineGroup({
  description: "Shadow traffic: what the mirrored version answers differently",
  subcommands: { report: lazy(() => import("./report.ts")) },
});
