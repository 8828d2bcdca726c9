import { describe, expect, it } from "vitest";
import { servesAdmin } from "./admin-hosts.ts";

describe("ADMIN_HOSTS", () => {
  it("serves the admin surface on listed hosts only; * means all, unset means none", () => {
    expect(servesAdmin("admin.example.com, ops.example.com", "ops.example.com")).toBe(true);
    expect(servesAdmin("admin.example.com", "shop.example.com")).toBe(false);
    expect(servesAdmin("ADMIN.example.com", "admin.example.com")).toBe(true);
    expect(servesAdmin("*", "anything.example")).toBe(true);
    expect(servesAdmin(undefined, "admin.example.com")).toBe(false);
    expect(servesAdmin("", "admin.example.com")).toBe(false);
  });
});
