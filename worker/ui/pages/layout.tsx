/** @jsxImportSource hono/jsx */
// The HTML document around every page: the inlined stylesheet and, when asked, a self-refresh.

import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { STYLESHEET } from "../styles.ts";

/** Every page that shows live state reloads itself this often (a meta refresh: no script). */
export const REFRESH_SECONDS = 5;

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
