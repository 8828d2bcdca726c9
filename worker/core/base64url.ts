// base64url (RFC 4648 §5, no padding) of bytes and of UTF-8 text, with the platform's btoa/atob
// and TextEncoder: what Buffer's "base64url" gave, without node:buffer, so the request path
// imports no Node module (workerd evaluates Node's compatibility modules at startup, about 5 ms
// of a fresh isolate's CPU: docs/performance.md).

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function bytesToBase64url(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function textToBase64url(text: string): string {
  return bytesToBase64url(encoder.encode(text));
}

/** The UTF-8 text of a base64url string; throws on one that is not base64url. */
export function base64urlToText(encoded: string): string {
  const binary = atob(encoded.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return decoder.decode(bytes);
}
