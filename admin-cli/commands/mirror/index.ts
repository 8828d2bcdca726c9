// keystone mirror …: shadow traffic.
import { defineCommand } from "citty";
import report from "./report.ts";

export default defineCommand({
  meta: {
    name: "mirror",
    description: "Shadow traffic: what the mirrored version answers differently",
  },
  subCommands: { report },
});
