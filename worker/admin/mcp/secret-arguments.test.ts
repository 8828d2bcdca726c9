// A Worker secret pasted into a tool argument is found wherever it sits, so it is never stored.
import { describe, expect, it } from "vitest";
import { secretPath, workerSecrets } from "./secret-arguments.ts";

const SECRETS = ["admin-token-0123456789", "read-token-0123456789"];

describe("a secret in a tool argument", () => {
  it("is found inside a string, with the path to it", () => {
    expect(secretPath({ reason: "Bearer admin-token-0123456789 please" }, SECRETS)).toBe("reason");
    expect(
      secretPath(
        { config: { notify: [{ url: "https://x.example/?t=read-token-0123456789" }] } },
        SECRETS,
      ),
    ).toBe("config.notify[0].url");
  });

  it("is found as a key", () => {
    expect(secretPath({ headers: { "read-token-0123456789": "x" } }, SECRETS)).toBe(
      "headers.read-token-0123456789",
    );
  });

  it("is not found in arguments without one", () => {
    expect(secretPath({ reason: "ship it", split: { a: 50, b: 50 } }, SECRETS)).toBeUndefined();
  });

  it("short or unset secrets are left out: they would match ordinary words", () => {
    expect(
      workerSecrets({ ADMIN_TOKEN: "abc", READ_TOKEN: "read-token-0123456789" } as never, "admin"),
    ).toEqual(["read-token-0123456789"]);
  });

  it("a read token is checked for its own token only: the refusal is no oracle on the others", () => {
    const env = {
      ADMIN_TOKEN: "admin-token-0123456789",
      READ_TOKEN: "read-token-0123456789",
      OVERRIDE_SECRET: "override-secret-0123456789",
    } as never;
    expect(workerSecrets(env, "admin")).toEqual([
      "admin-token-0123456789",
      "read-token-0123456789",
      "override-secret-0123456789",
    ]);
    const reader = workerSecrets(env, "read");
    expect(reader).toEqual(["read-token-0123456789"]);
    // A reader's guess of the admin token goes on to the API (which refuses a write 403), told
    // apart from a wrong guess by nothing.
    expect(secretPath({ reason: "admin-token-0123456789" }, reader)).toBeUndefined();
    expect(secretPath({ reason: "read-token-0123456789" }, reader)).toBe("reason");
  });
});
