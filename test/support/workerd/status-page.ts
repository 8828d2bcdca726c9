// The status page as a read-token holder sees it in workerd: signed in through the form, then
// the overview (every service, its rollout and last verdict) fetched with the session cookie.
import { exports } from "cloudflare:workers";

export async function statusPageHtml(token = "test-read-token"): Promise<string> {
  const signIn = await exports.default.fetch("https://admin.test/_keystone/ui/sign-in", {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: "https://admin.test",
    },
    body: new URLSearchParams({ token }).toString(),
  });
  const cookie = signIn.headers.get("set-cookie")!.split(";")[0]!;
  return (
    await exports.default.fetch("https://admin.test/_keystone/ui", { headers: { cookie } })
  ).text();
}
