// keystone context …: named admin APIs (URL + the env var holding the token) for --context.
import { defineCommand } from "citty";
import add from "./add.ts";
import list from "./list.ts";
import { remove, use } from "./select.ts";

export default defineCommand({
  meta: {
    name: "context",
    description: "Named environments: an admin API URL and the env var that holds its token",
  },
  subCommands: { add, use, list, remove },
});
