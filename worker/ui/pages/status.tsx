/** @jsxImportSource hono/jsx */
// The status page: every service, refreshed by the browser every 5 s or more (three times what
// its reads took); read-only.
import { timeText } from "../../core/rollout/event-words.ts";
import type { StatusPageModel } from "../model.ts";
import { Document } from "./layout.tsx";
import { ServiceSection } from "./service.tsx";

/** `refreshSeconds`: from refreshSecondsAfter(the time the page took to build). */
export function StatusPage(props: {
  model: StatusPageModel;
  scope: string;
  refreshSeconds: number;
}) {
  const { model, refreshSeconds } = props;
  return (
    <Document title="Keystone Edge: status" refreshSeconds={refreshSeconds}>
      <header>
        <h1>Keystone Edge</h1>
        <span class="muted">
          {/* In the page's one time format (as its history and verdicts), not ISO with milliseconds. */}
          {model.services.length} service(s) · {timeText(model.generatedAt)} · refreshes every{" "}
          {refreshSeconds} s · signed in ({props.scope})
        </span>
        <form method="post" action="/_keystone/ui/sign-out">
          <button type="submit">Sign out</button>
        </form>
      </header>
      <main>
        {model.services.length === 0 ? (
          <p class="empty">No services yet: apply a config with keystone apply.</p>
        ) : (
          model.services.map((service) => <ServiceSection service={service} />)
        )}
      </main>
    </Document>
  );
}
