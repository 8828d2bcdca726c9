// Request paths as the matchers see them: normalized per RFC 3986 §6.2.2 (unreserved characters
// percent-decoded, hex in upper case, dot-segments resolved), so `/%61pi/x` is `/api/x`.
// The origin still receives the path as the client sent it.

const HEX = "0123456789ABCDEF";

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  if (lower >= 97 && lower <= 102) return lower - 87;
  return -1;
}

function isUnreserved(code: number): boolean {
  return (
    (code >= 65 && code <= 90) || // A-Z
    (code >= 97 && code <= 122) || // a-z
    (code >= 48 && code <= 57) || // 0-9
    code === 45 || // -
    code === 46 || // .
    code === 95 || // _
    code === 126 // ~
  );
}

/** The normalized form of a path; the same string (no allocation) when there is nothing to do. */
export function normalizePath(path: string): string {
  if (path.indexOf("%") < 0 && path.indexOf("/.") < 0) return path;
  let decoded = "";
  for (let i = 0; i < path.length; i++) {
    const code = path.charCodeAt(i);
    if (code === 37 && i + 2 < path.length) {
      const high = hexValue(path.charCodeAt(i + 1));
      const low = hexValue(path.charCodeAt(i + 2));
      if (high >= 0 && low >= 0) {
        const byte = high * 16 + low;
        decoded += isUnreserved(byte) ? String.fromCharCode(byte) : `%${HEX[high]}${HEX[low]}`;
        i += 2;
        continue;
      }
    }
    decoded += path[i];
  }
  return removeDotSegments(decoded);
}

/** RFC 3986 §5.2.4 on an absolute path. */
function removeDotSegments(path: string): string {
  if (path.indexOf("/.") < 0) return path;
  const out: string[] = [];
  const segments = path.split("/");
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i]!;
    const last = i === segments.length - 1;
    if (segment === ".") {
      if (last) out.push("");
    } else if (segment === "..") {
      out.pop();
      if (last) out.push("");
    } else {
      out.push(segment);
    }
  }
  return `/${out.join("/")}`;
}

/** "/api" covers "/api", "/api/" and "/api/x" but not "/apix": prefixes end at a path segment. */
export function prefixCovers(prefix: string, path: string): boolean {
  if (prefix === "/" || path === prefix) return true;
  if (!path.startsWith(prefix)) return false;
  return prefix.endsWith("/") || path.charCodeAt(prefix.length) === 47; // "/"
}
