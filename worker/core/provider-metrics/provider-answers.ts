// Reads a provider's JSON answer into the metric's values (`result[0]`, `result[1]`…): the
// Prometheus HTTP API's instant query, the Datadog metrics query API (/api/v1/query), or any
// JSON document at a path. An empty answer is no data (values []); an answer in the wrong shape,
// or one that reports an error, is the provider's failure.
import type { MetricProviderKind } from "../../../schemas/metric-check.ts";

export type ProviderAnswer = { values: number[] } | { failure: string };

type Json = unknown;

const isRecord = (value: Json): value is Record<string, Json> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A sample as Prometheus writes it ("0.5", "NaN", "+Inf"), or a plain number. */
function numberOf(value: Json): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  if (value === "+Inf" || value === "Inf") return Number.POSITIVE_INFINITY;
  if (value === "-Inf") return Number.NEGATIVE_INFINITY;
  const number = Number(value);
  return Number.isNaN(number) && value !== "NaN" ? undefined : number;
}

const shapeFailure = (provider: string, what: string): ProviderAnswer => ({
  failure: `${provider} answered JSON of another shape: ${what}`,
});

const NOT_NUMBERS = "not numbers: the query must give a vector, a matrix or a scalar";

/** A result that holds no numbers, in words: a string's value (cut short), else its type. */
function resultTypeWords(resultType: Json, result: Json): string {
  if (resultType === "string") {
    const text = Array.isArray(result) ? result[1] : undefined;
    return typeof text === "string"
      ? `a string result (${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)})`
      : "a string result";
  }
  return `a result of type ${JSON.stringify(String(resultType).slice(0, 40))}`;
}

/** `/api/v1/query`: a vector gives one value per series, a scalar one, a matrix each series' last. */
function prometheusValues(body: Json): ProviderAnswer {
  if (!isRecord(body)) return shapeFailure("prometheus", "not an object");
  if (body.status === "error")
    return { failure: `prometheus refused the query: ${String(body.error ?? body.errorType)}` };
  const data = body.data;
  if (body.status !== "success" || !isRecord(data))
    return shapeFailure("prometheus", "no status success with data");
  const { resultType, result } = data;
  if (resultType !== "vector" && resultType !== "matrix" && resultType !== "scalar")
    return {
      failure: `prometheus answered ${resultTypeWords(resultType, result)}, ${NOT_NUMBERS}`,
    };
  if (resultType === "scalar" && Array.isArray(result)) {
    const value = numberOf(result[1]);
    return value === undefined ? shapeFailure("prometheus", "scalar") : { values: [value] };
  }
  if (!Array.isArray(result)) return shapeFailure("prometheus", "data.result is not a list");
  const values: number[] = [];
  for (const series of result) {
    if (!isRecord(series)) return shapeFailure("prometheus", "a series is not an object");
    const sample =
      resultType === "matrix" && Array.isArray(series.values) ? series.values.at(-1) : series.value;
    const value = Array.isArray(sample) ? numberOf(sample[1]) : undefined;
    if (value === undefined) return shapeFailure("prometheus", `a ${resultType} sample`);
    values.push(value);
  }
  return { values };
}

/** `/api/v1/query` of Datadog: each series' last non-null point. */
function datadogValues(body: Json): ProviderAnswer {
  if (!isRecord(body)) return shapeFailure("datadog", "not an object");
  if (Array.isArray(body.errors))
    return { failure: `datadog refused the query: ${body.errors.map(String).join("; ")}` };
  if (body.status === "error" || body.error !== undefined)
    return { failure: `datadog refused the query: ${String(body.error ?? "status error")}` };
  if (!Array.isArray(body.series)) return shapeFailure("datadog", "no series list");
  const values: number[] = [];
  for (const series of body.series) {
    if (!isRecord(series) || !Array.isArray(series.pointlist))
      return shapeFailure("datadog", "a series without a pointlist");
    const points = series.pointlist.filter(
      (point): point is [number, number] => Array.isArray(point) && typeof point[1] === "number",
    );
    const last = points.at(-1);
    if (last) values.push(last[1]);
  }
  return { values };
}

const STEP = /\.([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+|\*|"[^"]*")\]/g;

/** The values at a `$.a[0].b[*]` path: [*] fans out over every element. */
function valuesAtPath(document: Json, path: string): Json[] {
  let found: Json[] = [document];
  for (const [, key, bracket] of path.slice(1).matchAll(STEP)) {
    found = found.flatMap((node): Json[] => {
      if (bracket === "*")
        return Array.isArray(node) ? node : isRecord(node) ? Object.values(node) : [];
      if (bracket !== undefined && /^\d+$/.test(bracket))
        return Array.isArray(node) && Number(bracket) < node.length ? [node[Number(bracket)]] : [];
      const name = key ?? bracket!.slice(1, -1);
      return isRecord(node) && Object.hasOwn(node, name) ? [node[name]] : [];
    });
  }
  return found;
}

/** A JSON document's number(s) at the path; nothing there, or null, is no data. */
function webValues(body: Json, path: string): ProviderAnswer {
  const values: number[] = [];
  for (const node of valuesAtPath(body, path)) {
    if (node === null) continue;
    const value = numberOf(node);
    if (value === undefined)
      return {
        failure: `the value at ${path} is ${Array.isArray(node) ? "a list" : typeof node}, not a number (use [*] for a list)`,
      };
    values.push(value);
  }
  return { values };
}

export function readAnswer(provider: MetricProviderKind, body: Json, path = "$"): ProviderAnswer {
  switch (provider) {
    case "prometheus":
      return prometheusValues(body);
    case "datadog":
      return datadogValues(body);
    case "web":
      return webValues(body, path);
  }
}
