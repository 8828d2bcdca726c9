// The config file as a whole (YAML or JSON): a list of services, checked across services too.
import * as z from "zod";
import { servicesCrossIssues } from "./cross-checks.ts";
import { Environments } from "./environments.ts";
import { Service } from "./service.ts";

export const ConfigFile = z
  .strictObject({
    services: z.array(Service).min(1, "list at least one service"),
    /** Overlays by environment, merged onto the base services by validate, diff and apply. */
    environments: Environments.optional(),
  })
  .superRefine((file, ctx) => {
    for (const issue of servicesCrossIssues(file))
      ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
  });

export type ConfigFile = z.infer<typeof ConfigFile>;
