import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { createServer } from "node:http";
import { readdirSync, readFileSync } from "node:fs";
const server = createServer((req, res) => { res.writeHead(200, { "content-type": "application/json", "content-length": 2 }); res.end("{}"); });
await new Promise((r) => server.listen(19211, "127.0.0.1", r));
const script = `
const ops = {
  noop: (r) => 0,
  url: (r) => new URL(r.url).pathname.length,
  urlGetters: (r) => { const u = new URL(r.url); return u.pathname.length + u.search.length + u.host.length + u.hostname.length + u.protocol.length; },
  strSplit: (r) => { const s = r.url; const a = s.indexOf("//") + 2; const p = s.indexOf("/", a); const q = s.indexOf("?", p); return s.slice(a, p).length + s.slice(p, q < 0 ? undefined : q).length; },
  headersCopy: (r) => new Headers(r.headers).has("x"),
  headersIterKeys: (r) => { let n = 0; for (const k of r.headers.keys()) n += k.length; return n; },
  headersIterEntries: (r) => { let n = 0; for (const [k, v] of r.headers) n += k.length; return n; },
  headersGet6: (r) => { const h = r.headers; return (h.get("connection")?.length ?? 0) + (h.get("upgrade")?.length ?? 0) + (h.get("cookie")?.length ?? 0) + (h.get("cf-connecting-ip")?.length ?? 0) + (h.get("x-forwarded-for")?.length ?? 0) + (h.get("forwarded")?.length ?? 0); },
  headersHas6: (r) => { const h = r.headers; return +h.has("connection") + +h.has("keep-alive") + +h.has("te") + +h.has("transfer-encoding") + +h.has("upgrade") + +h.has("proxy-connection"); },
  headersCopySet6: (r) => { const h = new Headers(r.headers); h.set("x-keystone-version", "stable"); h.set("x-keystone-release", "v1"); h.append("x-keystone-experiment", "a=b"); h.set("x-forwarded-host", "x"); h.set("x-forwarded-proto", "http"); h.set("x-forwarded-for", "1.2.3.4"); h.set("forwarded", "for=1.2.3.4"); return 1; },
  headersFromEntries: (r) => { const e = []; for (const kv of r.headers) e.push(kv); e.push(["x-keystone-version", "stable"], ["x-keystone-release", "v1"], ["x-keystone-experiment", "a=b"], ["x-forwarded-host", "x"], ["x-forwarded-proto", "http"], ["x-forwarded-for", "1.2.3.4"], ["forwarded", "for=1.2.3.4"]); return new Headers(e).has("x"); },
  cf: (r) => r.cf?.country?.length ?? 0,
  abortCtl: (r) => { const c = new AbortController(); const t = setTimeout(() => c.abort(), 30000); clearTimeout(t); return c.signal.aborted ? 1 : 0; },
  abortTimeout: (r) => AbortSignal.timeout(30000).aborted ? 1 : 0,
  uuid: (r) => crypto.randomUUID().length,
  dateNow: (r) => Date.now() & 1,
  method: (r) => r.method.length,
  reqHeadersProp: (r) => r.headers ? 1 : 0,
  respWrap: (r, res) => new Response(res.body, res).status,
  respWrapSet: (r, res) => { const o = new Response(res.body, res); o.headers.set("x-keystone-version", "stable"); return o.status; },
  respInitSet: (r, res) => { const h = new Headers(res.headers); h.set("x-keystone-version", "stable"); return new Response(res.body, { status: res.status, statusText: res.statusText, headers: h }).status; },
};
export default { async fetch(req, env) {
  const u = new URL(req.url);
  const op = ops[u.pathname.slice(1)];
  const n = Number(u.searchParams.get("n"));
  let s = 0;
  if (u.pathname.startsWith("/resp")) { for (let i = 0; i < n; i++) { const res = new Response(null, { status: 200, headers: { "content-type": "application/json", "content-length": "2", date: "x", connection: "keep-alive" } }); s += op(req, res); } }
  else for (let i = 0; i < n; i++) s += op(req);
  return new Response(String(s));
} }`;
const mf = new Miniflare({ ...convertV4MiniflareOptions({ modules: true, compatibilityDate: "2026-11-01", compatibilityFlags: ["nodejs_compat"], script, host: "127.0.0.1", port: 0, unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }] }) });
const base = (await mf.unsafeGetDirectURL()).toString().replace(/\/$/, "");
const pids = readdirSync("/proc").filter((e) => /^\d+$/.test(e)).filter((e) => { try { return readFileSync(`/proc/${e}/comm`, "utf8").trim() === "workerd" && readFileSync(`/proc/${e}/stat`, "utf8").split(") ")[1].split(" ")[1] === String(process.pid); } catch { return false; } });
const pid = pids[0];
const cpu = () => readdirSync(`/proc/${pid}/task`).reduce((s, t) => { try { return s + Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, "utf8").split(" ")[0]); } catch { return s; } }, 0);
const headers = { cookie: "ks_bench=7f1d3c2a-5b6e-4f80-9a1b-2c3d4e5f6a7b; theme=dark", "user-agent": "Mozilla/5.0 (X11; Linux x86_64) keystone-bench", accept: "application/json", "cf-connecting-ip": "203.0.113.9", "mf-cf-blob": JSON.stringify({ asn: 64496, colo: "SJC", country: "US", city: "San Jose", continent: "NA", region: "California", timezone: "America/Los_Angeles", tlsVersion: "TLSv1.3" }) };
const N = 20000;
const names = process.argv.slice(2);
const results = {};
for (let round = 0; round < 5; round++) for (const name of ["noop", ...names]) {
  const before = cpu();
  const r = await fetch(`${base}/${name}?n=${N}&page=2`, { headers }); await r.text();
  (results[name] ??= []).push((cpu() - before) / N / 1000);
}
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
const noop = med(results.noop);
for (const [k, v] of Object.entries(results)) console.log(k.padEnd(20), (med(v) - (k === "noop" ? 0 : noop)).toFixed(2), "µs/op", v.map((x) => x.toFixed(2)).join(" "));
await mf.dispose(); server.close();
