// The config file as a whole (YAML or JSON): a list of services, checked across services too.
import * as z from "zod";
import { checkUnique, Service } from "./service.ts";

export const ConfigFile = z
  .strictObject({ services: z.array(Service).min(1, "list at least one service") })
  .superRefine((file, ctx) => {
    checkUnique(
      file.services.map((s) => s.name),
      "services",
      "service",
      ctx,
    );
    const owners = new Map<string, string>();
    file.services.forEach((service, i) => {
      service.hosts.forEach((host, h) => {
        const key = `${host}${service.pathPrefix}`;
        const owner = owners.get(key);
        if (owner !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["services", i, "hosts", h],
            message: `host ${host} with pathPrefix ${service.pathPrefix} is already served by ${owner}`,
          });
        } else {
          owners.set(key, `services[${i}] (${service.name})`);
        }
      });
    });
  });

export type ConfigFile = z.infer<typeof ConfigFile>;
