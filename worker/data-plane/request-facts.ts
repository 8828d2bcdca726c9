// RequestFacts of an incoming Request: one object per request, no closures; headers, cookies,
// query and request.cf are read only when a rule asks.
import type { IpAddress } from "../../schemas/cidr.ts";
import { parseIp } from "../../schemas/cidr.ts";
import {
  queryNeedsDecoding,
  type RequestFacts,
  readCookie,
  readPlainQueryParam,
} from "../core/facts.ts";
import { normalizePath } from "../core/path.ts";
import type { RequestTarget } from "./request-target.ts";

interface CfProperties {
  country?: string;
  colo?: string;
  continent?: string;
  asn?: number;
}

class IncomingFacts implements RequestFacts {
  readonly host: string;
  readonly path: string;
  readonly method: string;
  readonly ip: string | null;
  readonly #request: Request;
  readonly #headers: Headers;
  readonly #search: string;
  /** Parsed only when the query needs decoding; "plain" when it is read in place. */
  #query: URLSearchParams | "plain" | undefined;
  /** Header values read so far: a read is a call into the runtime; many rules read the same one. */
  #headerValues: Map<string, string | null> | undefined;
  #cookieHeader: string | null | undefined;
  /** request.cf is costly to materialise: read once, and only when a geo rule asks. */
  #cf: CfProperties | undefined | null = null;
  #ipAddress: IpAddress | undefined | null = null;

  constructor(request: Request, target: RequestTarget) {
    this.#request = request;
    this.#headers = request.headers;
    this.#search = target.search;
    this.host = target.hostname;
    // Matching sees the normalized path; the origin still gets the path as sent.
    this.path = normalizePath(target.pathname);
    this.method = request.method;
    this.ip = this.#headers.get("cf-connecting-ip");
  }

  header(name: string): string | null {
    let value = this.#headerValues?.get(name);
    if (value === undefined) {
      value = this.#headers.get(name);
      this.#headerValues ??= new Map();
      this.#headerValues.set(name, value);
    }
    return value;
  }

  cookie(name: string): string | null {
    if (this.#cookieHeader === undefined) this.#cookieHeader = this.#headers.get("cookie");
    return readCookie(this.#cookieHeader, name);
  }

  query(name: string): string | null {
    if (this.#search === "") return null;
    this.#query ??= queryNeedsDecoding(this.#search) ? new URLSearchParams(this.#search) : "plain";
    return this.#query === "plain"
      ? readPlainQueryParam(this.#search, name)
      : this.#query.get(name);
  }

  ipAddress(): IpAddress | undefined {
    if (this.#ipAddress === null) this.#ipAddress = this.ip === null ? undefined : parseIp(this.ip);
    return this.#ipAddress;
  }

  #cfProperties(): CfProperties | undefined {
    if (this.#cf === null) this.#cf = (this.#request as { cf?: CfProperties }).cf;
    return this.#cf;
  }

  get country(): string | null {
    return this.#cfProperties()?.country ?? null;
  }

  get colo(): string | null {
    return this.#cfProperties()?.colo ?? null;
  }

  get continent(): string | null {
    return this.#cfProperties()?.continent ?? null;
  }

  get asn(): number | null {
    return this.#cfProperties()?.asn ?? null;
  }
}

export function factsFromRequest(request: Request, target: RequestTarget): RequestFacts {
  return new IncomingFacts(request, target);
}
