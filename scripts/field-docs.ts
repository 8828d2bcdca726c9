// Descriptions of every config field, keyed by path (`services[].rollout.bake`), for the
// generated docs/config-reference.md (`npm run docs:config`). A field added to a schema needs a
// line here: npm test fails while one is missing, and while a line names a field that is gone.
// A key that is a section's own path ("services[]") gives that section an introduction.
export const FIELD_DOCS: Record<string, string> = {
  ".": "A config file is YAML or JSON: its services, and optionally overlays per environment.",
  services:
    "The services this file declares. Names are unique in the file, and so is each host + pathPrefix pair.",
  together:
    "Roll out, as one release, the services whose release one apply of this file changes: held at their last step until all have passed, promoted together, rolled back together (docs/releases.md). Without it each service follows its own policy.",
  "together.release":
    "The release's name (`[a-z0-9-]`): `keystone release status <name>` and `release wait` follow it. One release of a name runs at a time.",
  environments:
    "Overlays by environment name (`[a-z0-9-]`), so one file serves staging and production. `validate`, `diff` and `apply` merge the one chosen with `--env` (or by the CLI context) onto the base; `validate` checks every one. A file with `environments` must declare each environment it is used for (`production: {}` for none).",
  "environments.<name>":
    "One environment's changes to the base file. A problem an overlay brings is reported at the overlay's own path and line.",
  "environments.<name>.services":
    "Changes by service name; each must name a service of the base file. Any service field but `name`: maps (versions, sticky, rollout…) merge key by key; lists (hosts, rules, steps), values and a `split` replace the base's whole. The merged service is checked like any other.",

  "services[]":
    "One service: where it listens, its versions, and how traffic is split between them.",
  "services[].name":
    "Unique name: lowercase letters, digits and dashes (`[a-z0-9-]`), starting with a letter or digit.",
  "services[].hosts":
    "Hostnames the service answers for: exact (`shop.example.com`) or a wildcard (`*.shop.example.com`, any depth of subdomain, not the apex). Lowercase letters, digits, dashes and dots; no port. A request for the fully qualified form (`shop.example.com.`, with the DNS root's trailing dot) is routed as the host without it.",
  "services[].pathPrefix":
    "Only paths under this prefix; the longest prefix wins. A prefix ends at a `/` (`/api` serves `/api/x`, not `/apix`). The path is forwarded unchanged.",
  "services[].release":
    "The release this service should serve: apply converges to it under the rollout policy (a new release starts the policy's first step; the one serving or being rolled out changes nothing; one behind what serves is refused). Its release tracks (the baseline and the candidate) then leave `origin` and `release` out: which track serves what is state Keystone keeps. Without it, tracks give their own origins, or none to keep what serves.",
  "services[].release.name":
    "The release's name, sent to the origin as `x-keystone-release`: a version (`v2.4.0`, compared as semver when both are) or a commit.",
  "services[].release.origin":
    "Where the release runs: an http(s) URL with no query, fragment or credentials.",
  "services[].versions":
    "The tracks, by name (`[a-z0-9-]`), each an origin. A blueGreen rollout needs versions named `blue` and `green`. Left out, the service gets `stable` and `canary` (`blue` and `green` for blueGreen), which serve its release.",
  "services[].baseline":
    "The version that gets all traffic on abort or rollback; must be one of `versions`. Required with `versions`; left out with them, the first default track.",
  "services[].split":
    "Percent per version name, in steps of 0.01, summing to 100; versions left out get 0. Each name must be one of `versions`. A service naming its `release` may leave it out: the baseline gets 100.",
  "services[].sticky": "How a visitor keeps its version across requests.",
  "services[].rules":
    "Checked in order before experiments and the split; the first whose `when` matches decides.",
  "services[].experiments":
    "A/B experiments: each visitor in one gets a sticky variant, sent to the origin as `x-keystone-experiment: <name>=<variant>`.",
  "services[].rollout":
    "The progressive-delivery policy `keystone rollout start` follows. Without it, rollouts cannot start.",
  "services[].notify": "Outbound events, HMAC-signed with the `NOTIFY_SECRET` secret.",
  "services[].exposeVersionHeader":
    "Send `x-keystone-version` to clients. An override token's answer carries it (and `x-keystone-release`) either way.",
  "services[].forwardedFor":
    "`X-Forwarded-For` to the origin: `append` adds `CF-Connecting-IP` to what the client sent (not twice); `replace` sends `CF-Connecting-IP` alone (use it when the origin trusts the header). `Forwarded` is always written. In either mode a client's own `X-Real-IP`, `True-Client-IP`, `X-Client-IP`, `Client-IP`, `X-Cluster-Client-IP` or `Fastly-Client-IP` (also as CGI, Rack and PHP read it: `x_real_ip`, `x.real.ip`) reaches the origin as `CF-Connecting-IP`.",
  "services[].errorStatuses":
    'Response statuses counted as errors in metrics and rollout analysis: `"5xx"` (a class) or exact codes such as `"429"`.',

  "services[].versions.<name>.origin":
    "`http(s)://host[:port][/base]`, no query, fragment or credentials; the request path and query are appended. Must not be one of the service's own hosts (a loop through the Worker); loopback hosts are exempt for local use. Left out on the release tracks (the baseline and the candidate) when the service names its `release` (or to keep what serves); every other track needs one.",
  "services[].versions.<name>.release":
    "A label for what this track runs, sent to the origin as `x-keystone-release`, so a header value: visible ASCII and inner spaces, at most 256 characters, no newlines.",
  "services[].versions.<name>.healthPath":
    "Checked by rollouts before a step advances; a non-2xx answer holds the step.",
  "services[].versions.<name>.timeoutMs":
    "The origin's time to its response headers, in milliseconds, counted from when it has the whole request (started again by each chunk of an upload the client sends); then the client gets 504. A client that sends nothing of its body for as long gets 408, counted as its own fault.",

  "services[].sticky.by":
    "`cookie` (a random visitor id in a cookie, set when absent), `header:<name>` (that header's value), `ip` (`CF-Connecting-IP`) or `none` (random per request).",
  "services[].sticky.cookie": "Cookie name for `by: cookie`; default `ks_<service name>`.",
  "services[].sticky.maxAgeSeconds": "Lifetime of the sticky cookie.",
  "services[].sticky.affinity":
    "Version affinity: once the split serves a visitor a version, its later requests get the same version for `maxAgeSeconds`, even when weights move either way (`affinity: { maxAgeSeconds: 1800 }`). Carried in a signed pin: cookie `ks_pin_<service>` for browsers, header `x-keystone-affinity` (sent back as received) for other clients. A rollback or abort, a new rollout, a deleted version or an expired pin always wins. Needs the `AFFINITY_SECRET` secret (off without it).",
  "services[].sticky.affinity.maxAgeSeconds":
    "How long a pin holds from the first request it was given for (at most 7 days; not renewed by later requests).",
  "services[].sticky.group":
    "Services naming the same group share the visitor key and bucket salt (`group: checkout`): with equal weights a visitor is on the same track in each. The default cookie becomes `ks_<group>`, and the origin gets a signed `x-keystone-visitor` to forward on its calls to other services of the group. Signing needs `AFFINITY_SECRET`.",

  "services[].rules[].name":
    "Unique within the service; shown by `keystone explain` and in metrics.",
  "services[].rules[].when":
    "The condition a request must match. Every key given must match (AND); `all`, `any` and `not` combine nested conditions. At least one key.",
  "services[].rules[].route":
    "Send matching requests to this version. A rule has exactly one of `route` and `split`.",
  "services[].rules[].split":
    "Split matching requests by the visitor's bucket (percent per version, summing to 100).",

  "services[].rules[].when.header":
    "A request header, by name, with exactly one operator (cookie and query take the same fields).",
  "services[].rules[].when.cookie": "A cookie, by name.",
  "services[].rules[].when.query": "A query parameter, by name.",
  "services[].rules[].when.path": "The request path, with exactly one operator.",
  "services[].rules[].when.method": "HTTP methods (case-insensitive).",
  "services[].rules[].when.country": "Two-letter country codes (`request.cf.country`).",
  "services[].rules[].when.colo": "Cloudflare data-center codes (`request.cf.colo`).",
  "services[].rules[].when.asn": "Autonomous system numbers of the client (`request.cf.asn`).",
  "services[].rules[].when.ip":
    "Client IP ranges as CIDRs, IPv4 or IPv6 (`10.0.0.0/8`, `2001:db8::/32`).",
  "services[].rules[].when.all": "Every nested condition matches.",
  "services[].rules[].when.any": "At least one nested condition matches.",
  "services[].rules[].when.not": "The nested condition does not match.",

  "services[].rules[].when.header.name": "The header, cookie or query parameter name.",
  "services[].rules[].when.header.equals": "Matches this exact value.",
  "services[].rules[].when.header.in": "Matches any of these values.",
  "services[].rules[].when.header.regex":
    "Matches this regular expression (compiled once per config).",
  "services[].rules[].when.header.present": "`true`: the value is there; `false`: it is absent.",

  "services[].rules[].when.path.equals": "Matches this exact path.",
  "services[].rules[].when.path.in": "Matches any of these paths.",
  "services[].rules[].when.path.regex": "Matches this regular expression.",
  "services[].rules[].when.path.present": "Always true for a path; kept for symmetry.",
  "services[].rules[].when.path.prefix": "Matches paths starting with this prefix.",

  "services[].experiments[].name": "Unique within the service: letters, digits, `_`, `.` and `-`.",
  "services[].experiments[].when": "Who is in the experiment (default: everyone).",
  "services[].experiments[].variants":
    "Variants by name (letters, digits, `_ . -`); their weights sum to 100.",
  "services[].experiments[].variants.<name>.weight": "Percent of the experiment's visitors.",
  "services[].experiments[].variants.<name>.version":
    "Pin the variant to this version (must be one of `versions`); without it the split decides and only the header tells the app.",

  "services[].rollout.strategy":
    "`canary` (explicit steps), `linear` (`stepPercent` per step up to `maxWeight`) or `blueGreen` (all at once, versions `blue` and `green`).",
  "services[].rollout.candidate":
    "The version rolled out. Required when the service does not have exactly two versions (else the one that is not the baseline); never the baseline. Not used by blueGreen.",
  "services[].rollout.steps":
    "Canary only, and required for it: weights with bake times, and pause gates.",
  "services[].rollout.stepPercent":
    "Linear only, and required for it: the weight added per step (above 0).",
  "services[].rollout.bake":
    "Linear: each step's bake (required). BlueGreen: how long each side is checked (default 1m). A duration: a number and a unit (`ms`, `s`, `m`, `h`, `d`), combinable (`1h30m`).",
  "services[].rollout.maxWeight": "Linear only: the last step's weight (default 100).",
  "services[].rollout.analysis":
    "The health checks of each step's window; fields left out take their defaults.",
  "services[].rollout.onFailure":
    "What a failed analysis does once `failureLimit` is passed: `rollback` (all traffic to the baseline) or `pause` (wait for an operator); or as a map, `{ action: rollback, ramp: 2m }` to return the traffic over a ramp.",
  "services[].rollout.onFailure.action": "`rollback` or `pause`, as in the short form.",
  "services[].rollout.onFailure.ramp":
    "Rollback only: the candidate's share falls to 0 in equal steps over this time (the first at once, the last when the ramp ends, at most 10 after the first and at least 15s apart), for origins that cannot take the whole share at once. A second failure does not restart it; `keystone rollout abort` ends it at once. Between 1s and 1h.",
  "services[].rollout.progressDeadline":
    'How long a rollout may stay in one step without leaving it (held as inconclusive, failing a health check or gate, waiting at a pause gate, paused) before `onDeadline` acts: a duration like `"30m"`.',
  "services[].rollout.onDeadline":
    "At the progress deadline: `abort` (default: all traffic to the baseline, recorded as `rollout.deadlineExceeded` then `rollout.aborted`) or `notify` (record and send `rollout.deadlineExceeded` once per step; the rollout keeps waiting).",
  "services[].rollout.gates":
    "URLs called before a step or a promotion; a non-2xx answer holds. No credentials (user:pass@); a token may go in the query, which Keystone never shows (messages and read-token reads say `?…`).",

  "services[].rollout.steps[].weight": "The candidate's percent during this step.",
  "services[].rollout.steps[].bake":
    'How long the step runs before it may advance (a duration like `"5m"`); the cron checks once a minute.',
  "services[].rollout.steps[].where":
    "A regional wave: the step's weight holds only for requests from these places (`where: { country: [NZ, AU] }`); the rest stay on the baseline, recorded as `wave-outside` and left out of the analysis. A later step without `where` widens to everyone.",
  "services[].rollout.steps[].where.country":
    "Two-letter country codes (`request.cf.country`), any case.",
  "services[].rollout.steps[].where.colo":
    "Cloudflare data-center codes (`request.cf.colo`), three letters.",
  "services[].rollout.steps[].where.continent": "Continent codes (`request.cf.continent`).",
  "services[].rollout.steps[].pause":
    "A manual gate: waits for `keystone rollout promote`. A step has `weight` and `bake`, or `pause: true`.",

  "services[].rollout.analysis.minRequests":
    "Fewer candidate requests in a step's window: inconclusive, the step holds.",
  "services[].rollout.analysis.maxErrorRatePercent": "The candidate's error rate limit (absolute).",
  "services[].rollout.analysis.maxP95Ms": "The candidate's p95 latency limit, in milliseconds.",
  "services[].rollout.analysis.maxErrorRateDeltaPercent":
    "Limit on the candidate's error rate minus the baseline's, over the same window.",
  "services[].rollout.analysis.maxLatencyRatio":
    "With the threshold judge: limit on candidate p95 / baseline p95. With `judge: statistical`: the median ratio (Hodges–Lehmann, docs/analysis.md) the latency test holds the candidate to, default 1.2, at least 1; the p95 ratio is then not checked (keep `maxP95Ms` for the tail).",
  "services[].rollout.analysis.judge":
    "Who judges each step's window: `threshold` (default: the limits here, each look on its own) or `statistical` (always-valid sequential tests of error rate and latency against the baseline, docs/analysis.md). With `statistical` the absolute limits (`maxErrorRatePercent`, `maxP95Ms`), `maxErrorRateDeltaPercent` and `maxMirrorMismatchPercent` still apply beside it, and `minRequests` counts each version (at least 10).",
  "services[].rollout.analysis.confidencePercent":
    "Statistical judge only: how sure it must be to fail or pass a candidate (default 99); 100 minus it is the false-rollback rate per step window, however often the cron looks.",
  "services[].rollout.analysis.minErrorRateIncreasePercent":
    "Statistical judge only: the smallest error-rate increase (candidate minus baseline, percentage points) worth a rollback (default 0.5). A candidate passes once the judge is sure it stays under it.",
  "services[].rollout.analysis.maxMirrorMismatchPercent":
    "Limit on the share of mirrored requests whose response from the candidate differed from the primary's (`mirror` with `version` the candidate), over the step's window; judged once the window holds `minRequests` comparisons.",
  "services[].rollout.analysis.countRules":
    "Rules (by name) whose traffic the analysis counts too. By default only requests the split or an experiment pin sent count, so traffic a client forces with a header rule or an override token can neither fail nor dilute the verdict. Each must name a rule of the service.",
  "services[].rollout.analysis.failureLimit":
    "Failed analyses tolerated in a step before `onFailure` acts: each tick whose window fails any check counts one, however many checks it failed (1: the first holds the step, the second acts).",
  "services[].rollout.analysis.maxRequestsPerVisitor":
    "The most requests of one visitor (its sticky key) counted in a step's window, per isolate; one client address counts at most 10× as many, whatever visitor ids it sends (a client without a sticky key of its own is bounded by its address alone). Default 20. The rest are recorded as `visitor-limit` and left out, so a handful of clients can neither fail nor pass a step. Raise it for services with a few heavy clients (service-to-service traffic), or their windows may not reach `minRequests` (docs/analysis.md).",

  "services[].rollout.analysis.metrics":
    "A team's own metrics, judged beside Keystone's checks (docs/analysis.md): each a named query to Prometheus, Datadog or a JSON web endpoint, sent from the service object's tick (never on the request path), with a condition on its value or a limit against the baseline's. A metric that fails past its `failureLimit` triggers `onFailure`; no data or a provider that is down holds the step (inconclusive), and past `inconclusiveLimit` pauses the rollout for an operator. At most 10.",
  "services[].rollout.analysis.metrics[].name":
    "The metric's name in verdicts, `rollout explain` and incidents (`[a-z0-9-]`, unique in the rollout).",
  "services[].rollout.analysis.metrics[].provider":
    "Where the value comes from: exactly one of `prometheus`, `datadog`, `web`.",
  "services[].rollout.analysis.metrics[].provider.prometheus":
    "The Prometheus HTTP API's instant query (`GET <address>/api/v1/query?query=…`). A vector gives one value per series (`result[0]`, `result[1]`…, in the order Prometheus returns them), a scalar one value.",
  "services[].rollout.analysis.metrics[].provider.prometheus.address":
    "The Prometheus server: an http(s) URL with no credentials (`https://prometheus.example.com`; a path prefix is kept).",
  "services[].rollout.analysis.metrics[].provider.prometheus.query":
    "PromQL, a template over `{{service}}`, `{{version}}` (the version being measured: the candidate, or the baseline for a baseline comparison), `{{release}}`, `{{baseline}}`, `{{candidate}}` and `{{window}}` (the step's window so far, such as `90s`).",
  "services[].rollout.analysis.metrics[].provider.prometheus.tokenSecret":
    "A Worker secret (named `METRICS_…`) sent as `Authorization: Bearer`; never in the file, never shown.",
  "services[].rollout.analysis.metrics[].provider.datadog":
    "The Datadog metrics query API (`GET /api/v1/query?from=&to=&query=`) over the step's window; each series' last point is a value.",
  "services[].rollout.analysis.metrics[].provider.datadog.site":
    "The Datadog site (default `datadoghq.com`; `datadoghq.eu`, `us5.datadoghq.com`…): the API is `https://api.<site>`.",
  "services[].rollout.analysis.metrics[].provider.datadog.address":
    "Instead of `site`: the API's base URL (http(s), no credentials), such as a proxy in front of Datadog.",
  "services[].rollout.analysis.metrics[].provider.datadog.query":
    "A Datadog metrics query, a template over the same variables as Prometheus queries.",
  "services[].rollout.analysis.metrics[].provider.datadog.apiKeySecret":
    "The Worker secret (`METRICS_…`) holding the API key, sent as `DD-API-KEY`.",
  "services[].rollout.analysis.metrics[].provider.datadog.appKeySecret":
    "The Worker secret (`METRICS_…`) holding the application key, sent as `DD-APPLICATION-KEY`.",
  "services[].rollout.analysis.metrics[].provider.web":
    "Any http(s) endpoint answering JSON, fetched with GET.",
  "services[].rollout.analysis.metrics[].provider.web.url":
    "The endpoint, a template over the query variables (each value URL-encoded); no credentials (user:pass@). A key may go in its query (`?api_key=`), which Keystone never shows: read-token reads and every message say `?…`.",
  "services[].rollout.analysis.metrics[].provider.web.path":
    'Where the value sits in the JSON answer: `$` then `.key`, `[index]`, `["odd key"]` or `[*]` (every element, giving `result[0]`, `result[1]`…). Numbers and numeric strings are read; anything else is no data.',
  "services[].rollout.analysis.metrics[].provider.web.tokenSecret":
    "A Worker secret (`METRICS_…`) sent as `Authorization: Bearer`.",
  "services[].rollout.analysis.metrics[].successCondition":
    "The candidate's value passes when this holds: comparisons of `result` (the first value) or `result[N]` with numbers, joined by `&&` and `||` (`result < 0.01`). With `failureCondition` too, a value meeting neither is inconclusive.",
  "services[].rollout.analysis.metrics[].failureCondition":
    "The candidate's value fails when this holds (same language as `successCondition`); alone, anything else passes.",
  "services[].rollout.analysis.metrics[].baseline":
    "Instead of conditions: the same query run for the candidate and the baseline (`{{version}}` filled with each), and the candidate's first value held to the baseline's.",
  "services[].rollout.analysis.metrics[].baseline.maxRatio":
    "The most the candidate's value may be as a multiple of the baseline's (worse direction); a baseline of 0 with a candidate above it is an infinite ratio and fails.",
  "services[].rollout.analysis.metrics[].baseline.maxDifference":
    "The most the candidate's value may be worse than the baseline's, in the metric's unit. With `maxRatio` too, both must hold.",
  "services[].rollout.analysis.metrics[].baseline.worseWhen":
    "`higher` (default: errors, latency, queue depth) or `lower` (conversions, orders written).",
  "services[].rollout.analysis.metrics[].failureLimit":
    "Failed measurements tolerated in a step (default 0): one more triggers `onFailure`. Until then a failed measurement holds the step.",
  "services[].rollout.analysis.metrics[].inconclusiveLimit":
    "Inconclusive measurements (no data, provider down, neither condition met) tolerated in a step (default 3), each holding it; one more pauses the rollout for an operator.",
  "services[].rollout.analysis.metrics[].dryRun":
    "Evaluated, recorded and shown like any metric, never acted on: how a team trusts a new metric before it gates anything.",

  "services[].rollout.gates.beforeStep": "Called before each step's weight is applied.",
  "services[].rollout.gates.beforePromote": "Called before promotion.",

  "services[].mirror":
    "Shadow traffic: a copy of a sampled share of the requests the other versions serve goes to `version` in the background; its response is compared with the one the client got and never returned. See docs/mirror.md.",
  "services[].mirror.version":
    "The version that gets the copies (must be one of `versions`); requests it serves itself are not mirrored. For `maxMirrorMismatchPercent`, the rollout's candidate.",
  "services[].mirror.percent":
    "Share of requests mirrored, above 0, each request sampled on its own. Each isolate also caps mirrors per second and stops mirroring while the mirrored origin fails.",
  "services[].mirror.methods":
    "Methods mirrored (default GET and HEAD). Listing any other method is an opt-in: the mirrored origin then gets requests that may change state, marked `x-keystone-mirror: 1`.",
  "services[].mirror.withBody":
    "Whether requests with a body may be mirrored: a body of at most 1 MiB is copied into memory and sent once the client has finished it; a longer one is not copied. Off by default: such requests are never mirrored.",
  "services[].mirror.timeoutMs":
    "Time the mirrored origin has to answer, in milliseconds; a copy past it counts as failed (the client never waits for it).",
  "services[].mirror.compare": "What of the two responses is compared. The status always is.",
  "services[].mirror.compare.headers": "Response headers compared (lowercase names).",
  "services[].mirror.compare.body":
    "`json` (field by field, leaving out `ignoreFields`; a body that is not JSON, or is longer than `maxBodyBytes`, is compared byte by byte), `bytes` (byte by byte: what a hash comparison tells, without hashing; a diff shows sizes and where they differ, never content) or `none`.",
  "services[].mirror.compare.ignoreFields":
    "JSON fields left out of the comparison, such as timestamps and ids: a dotted path from the root (`meta.requestId`, `items.*.updatedAt`, `*` for any key or index), or a single name for that field at any depth (`updatedAt`).",
  "services[].mirror.compare.redactFields":
    "JSON fields compared but whose values never appear in a kept diff (same syntax as `ignoreFields`). Cookies, `authorization` and `set-cookie` are always redacted.",
  "services[].mirror.compare.maxBodyBytes":
    "How much of each body is read and compared (1 KiB to 1 MiB, default 256 KiB); a longer body is compared byte by byte over its first `maxBodyBytes`.",

  "services[].notify[].url":
    "Where events are POSTed (https). A bearer secret (a Slack webhook URL is its own credential): the read token sees only its scheme and host.",
  "services[].notify[].events": "Which events to send.",
  "services[].notify[].format":
    "`json`: Keystone's signed event. `slack`: a Slack- and Mattermost-compatible message (`text` and `blocks`) for an incoming webhook.",
};
