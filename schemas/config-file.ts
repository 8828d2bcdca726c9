// The config file as a whole (YAML or JSON): a list of services, checked across services too.
import * as z from "zod";
import { servicesCrossIssues } from "./cross-checks.ts";
import { Environments } from "./environments.ts";
import { ReleaseName } from "./release-file.ts";
import { ServiceSpec } from "./service-spec.ts";

/**
 * The services whose release one apply changes roll out as one release of this name: held at
 * their last step until all have passed, promoted together, rolled back together.
 */
export const Together = z.strictObject({ release: ReleaseName });

export const ConfigFile = z
  .strictObject({
    services: z
      .array(ServiceSpec)
      .min(1, "list at least one service")
      .describe("the file's services (the YAML file parsed, as JSON)"),
    together: Together.optional().describe(
      "roll out the new releases the file names as one release of this name",
    ),
    /** Overlays by environment, merged onto the base services by validate, diff and apply. */
    environments: Environments.optional().describe(
      "overlays by environment, merged onto the services by validate, diff and apply",
    ),
  })
  .superRefine((file, ctx) => {
    for (const issue of servicesCrossIssues(file))
      ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
  });

export type ConfigFile = z.infer<typeof ConfigFile>;
export type Together = z.infer<typeof Together>;
