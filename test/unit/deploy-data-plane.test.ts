// The data plane deploy's checks before wrangler runs (scripts/deploy-data-plane.ts): one KV
// namespace for both Workers, and the control plane it binds to named as the environment's.
// test/e2e/deploy-dry-run.test.ts runs the script itself against wrangler for every environment.
import { describe, expect, it } from "vitest";
import {
  dataPlaneConfigFor,
  PLACEHOLDER_ID,
  splitEnvironment,
} from "../../scripts/deploy-data-plane.ts";

const controlPlane = {
  name: "keystone-edge",
  kv_namespaces: [{ binding: "ROUTES", id: "top" }],
  env: { staging: { kv_namespaces: [{ binding: "ROUTES", id: "staging-id" }] } },
};

function dataPlane(staging: Record<string, unknown> = {}) {
  return {
    name: "keystone-edge-data-plane",
    kv_namespaces: [{ binding: "ROUTES", id: PLACEHOLDER_ID }],
    durable_objects: { bindings: [{ name: "STATS", script_name: "keystone-edge" }] },
    services: [{ binding: "CONTROL_PLANE", service: "keystone-edge" }],
    env: {
      staging: {
        kv_namespaces: [{ binding: "ROUTES", id: PLACEHOLDER_ID }],
        durable_objects: { bindings: [{ name: "STATS", script_name: "keystone-edge-staging" }] },
        services: [{ binding: "CONTROL_PLANE", service: "keystone-edge-staging" }],
        ...staging,
      },
    },
  };
}

describe("deploy:data-plane", () => {
  it("takes --env in each spelling and passes the rest to wrangler", () => {
    expect(splitEnvironment(["--env", "staging", "--dry-run"])).toEqual({
      environment: "staging",
      rest: ["--dry-run"],
    });
    expect(splitEnvironment(["--env=production"]).environment).toBe("production");
    expect(splitEnvironment(["-e", "staging"]).environment).toBe("staging");
    expect(splitEnvironment(["--env="]).environment).toBe("");
    expect(splitEnvironment(["-e=staging"]).environment).toBe("staging");
  });

  it("refuses an --env without a value, a second --env, and a config of wrangler's own", () => {
    expect(() => splitEnvironment(["--dry-run", "--env"])).toThrow(/--env needs a value/);
    expect(() => splitEnvironment(["--env=staging", "-e", "production"])).toThrow(/twice/);
    expect(() => splitEnvironment(["-c", "other.toml"])).toThrow(
      /worker\/data-plane\/wrangler.toml/,
    );
    expect(() => splitEnvironment(["--config=other.toml"])).toThrow(/config is/);
  });

  it("writes the control plane's namespace id into the environment's section only", () => {
    const config = dataPlaneConfigFor(controlPlane, dataPlane(), "staging");
    expect(config.env?.staging?.kv_namespaces).toEqual([{ binding: "ROUTES", id: "staging-id" }]);
    expect(config.kv_namespaces).toEqual([{ binding: "ROUTES", id: PLACEHOLDER_ID }]);
    expect(dataPlaneConfigFor(controlPlane, dataPlane(), "").kv_namespaces).toEqual([
      { binding: "ROUTES", id: "top" },
    ]);
  });

  it("refuses a data plane pinned to another namespace", () => {
    expect(() =>
      dataPlaneConfigFor(
        controlPlane,
        dataPlane({ kv_namespaces: [{ binding: "ROUTES", id: "other" }] }),
        "staging",
      ),
    ).toThrow(
      /binds ROUTES to other under \[\[env\.staging\.kv_namespaces\]\], the control plane to staging-id/,
    );
  });

  it("refuses a data plane bound to another environment's control plane", () => {
    expect(() =>
      dataPlaneConfigFor(
        controlPlane,
        dataPlane({ services: [{ binding: "CONTROL_PLANE", service: "keystone-edge" }] }),
        "staging",
      ),
    ).toThrow(
      /CONTROL_PLANE's service under env\.staging\. is "keystone-edge", but the control plane Worker of this environment is "keystone-edge-staging"/,
    );
  });

  it("refuses a data plane section without its stats objects or its control plane binding", () => {
    expect(() => dataPlaneConfigFor(controlPlane, dataPlane({ services: [] }), "staging")).toThrow(
      /CONTROL_PLANE's service under env\.staging\. is "undefined"/,
    );
    expect(() =>
      dataPlaneConfigFor(controlPlane, dataPlane({ durable_objects: { bindings: [] } }), "staging"),
    ).toThrow(/STATS's script_name/);
  });

  it("refuses an environment the data plane's config does not declare", () => {
    expect(() =>
      dataPlaneConfigFor(
        { ...controlPlane, env: { qa: { kv_namespaces: [{ binding: "ROUTES", id: "q" }] } } },
        dataPlane(),
        "qa",
      ),
    ).toThrow(/worker\/data-plane\/wrangler.toml has no \[env\.qa\]/);
  });
});
