/** @jsxImportSource hono/jsx */
// The HTML document around every page: the inlined stylesheet and, when asked, a self-refresh.

import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { STYLESHEET } from "../styles.ts";

/**
 * How often a page that shows live state reloads itself (a meta refresh: no script): an incident's
 * page always, the services' page at least (refreshSecondsAfter).
 */
export const REFRESH_SECONDS = 5;

/**
 * The services' page reads every service's objects, so its cost grows with the fleet: at ~300
 * services it took 2-6 s to load, and a fixed 5 s refresh (counted from the load) kept the
 * browser reloading nearly all the time and the Worker building it back to back. So the page
 * waits three times as long as its reads took (the Worker's clock does not move while it renders,
 * ~0.5 s more at 300 services: 3× keeps the wait above twice the whole load), never less than
 * REFRESH_SECONDS.
 */
export const REFRESH_PER_BUILD = 3;

export function refreshSecondsAfter(buildMs: number): number {
  return Math.max(REFRESH_SECONDS, Math.ceil((REFRESH_PER_BUILD * Math.max(0, buildMs)) / 1000));
}

export function Document(props: { title: string; refreshSeconds?: number; children: Child }) {
  return (
    <>
      {raw("<!doctype html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="referrer" content="no-referrer" />
          {props.refreshSeconds ? (
            <meta http-equiv="refresh" content={String(props.refreshSeconds)} />
          ) : null}
          <title>{props.title}</title>
          {/* A constant of this module, never data: allowed by its hash in the CSP. */}
          <style>{raw(STYLESHEET)}</style>
        </head>
        <body>{props.children}</body>
      </html>
    </>
  );
}
