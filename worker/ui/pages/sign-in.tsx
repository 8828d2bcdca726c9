/** @jsxImportSource hono/jsx */
// The sign-in form: the token goes in a password field and is POSTed, never put in a URL.
import { Document } from "./layout.tsx";

/** `returnTo`: a page of the status page to go back to once signed in (checked before and after). */
export function SignInPage(props: { error?: string; returnTo?: string | undefined }) {
  return (
    <Document title="Keystone Edge: sign in">
      <form class="sign-in" method="post" action="/_keystone/ui/sign-in">
        <h2>Keystone Edge</h2>
        <p class="muted">Sign in with the read token (or the admin token) to see every service.</p>
        {props.error ? (
          <p class="error" role="alert">
            {props.error}
          </p>
        ) : null}
        <label for="token">Token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="current-password"
          required
          autofocus
        />
        {props.returnTo ? <input type="hidden" name="returnTo" value={props.returnTo} /> : null}
        <button type="submit">Sign in</button>
      </form>
    </Document>
  );
}
