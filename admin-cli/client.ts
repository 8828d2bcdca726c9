// The one HTTP client of the admin API: auth, JSON, and API errors turned into CLI errors.
import { ErrorEnvelope } from "../schemas/api.ts";
import { CliError, EXIT, exitCodeForApi } from "./errors.ts";

export class ApiClient {
  readonly baseUrl: string;
  readonly #token: string | undefined;

  constructor(baseUrl: string, token: string | undefined) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
    this.#token = token;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  /** Like get, but null when the thing does not exist (404). */
  async find<T>(path: string): Promise<T | null> {
    try {
      return await this.request<T>("GET", path);
    } catch (error) {
      if (error instanceof CliError && error.notFound) return null;
      throw error;
    }
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.baseUrl}/_keystone/v1${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(
        EXIT.error,
        `cannot reach the Keystone admin API at ${this.baseUrl}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
        ["  is the Worker running (npm start), and is --url / KEYSTONE_URL right?"],
      );
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw new CliError(
        EXIT.error,
        `${method} ${url} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`,
      );
    }
    if (response.ok) return json as T;
    const envelope = ErrorEnvelope.safeParse(json);
    if (!envelope.success)
      throw new CliError(EXIT.error, `${method} ${url} failed with HTTP ${response.status}`);
    const { code, message, problems } = envelope.data.error;
    const hint = code === "unauthorized" ? ["  pass --token or set KEYSTONE_TOKEN"] : [];
    const failure = new CliError(exitCodeForApi(code), message, [
      ...(problems ?? []).map((p) => `  ${p.path}: ${p.message}`),
      ...hint,
    ]);
    failure.notFound = code === "not_found";
    throw failure;
  }
}
