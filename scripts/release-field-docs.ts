// Descriptions of every release-file field, keyed by path, for the generated
// docs/release-reference.md (`npm run docs:config`); npm test fails while one is missing.
export const RELEASE_FIELD_DOCS: Record<string, string> = {
  ".": "A release file is YAML or JSON: a name and the services it rolls out as one. `keystone release start -f release.yaml` starts it; the deploy webhook takes the same content as JSON.",
  name: "The release's name: lowercase letters, digits and dashes. One release of a name runs at a time; the name may start again once it ended.",
  services:
    "The services of the release, each named once. The ones without `after` start at once; the others when their condition holds. Each holds at its last step until every service has passed, then all are promoted together; any failure rolls back every service.",
  "services[]":
    "One service of the release: an existing service with a rollout policy (or a `strategy`), and no rollout in progress when the release starts.",
  "services[].service": "The service's name, as in its config.",
  "services[].origin":
    "The candidate's new origin (`keystone rollout start --origin`); default: the candidate's origin as configured.",
  "services[].release":
    "The candidate's release label (`--release`), sent to the origin as `x-keystone-release`.",
  "services[].strategy":
    "`canary`, `linear` or `blueGreen` (`--strategy`); default: the service's rollout policy.",
  "services[].after":
    "When this service starts: a condition on another service of the release. Without it, the service starts with the release. Conditions may chain (web after api, worker after web) but not wait in a circle.",
  "services[].after.service": "The service of this release the condition waits for.",
  "services[].after.reached":
    "Start once that service reached this step (1 is its first; as `keystone rollout status` counts them), or passed them all. At most its step count.",
  "services[].after.passed":
    "`true`: start once that service passed its last step (it then holds for the release). Services are promoted only together, so a condition never waits for a promotion.",
};
