// keystone incident …: rolled-back and aborted rollouts, each with its timeline.
import { defineCommand } from "citty";
import list from "./list.ts";
import show from "./show.ts";

export default defineCommand({
  meta: { name: "incident", description: "Rollbacks and aborts: list them, show one as Markdown" },
  subCommands: { list, show },
});
