// keystone release …: several services rolled out as one, with one verdict.
import { defineCommand } from "citty";
import abort from "./abort.ts";
import start from "./start.ts";
import status from "./status.ts";
import wait from "./wait.ts";

export default defineCommand({
  meta: {
    name: "release",
    description: "Roll out several services as one: start, watch, wait for, abort",
  },
  subCommands: { start, status, wait, abort },
});
