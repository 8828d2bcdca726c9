// Providers' answers read into a metric's values: each documented shape, what counts as no data,
// and what counts as the provider's failure.
import { describe, expect, it } from "vitest";
import { readAnswer } from "./provider-answers.ts";

const prometheus = (resultType: string, result: unknown) => ({
  status: "success",
  data: { resultType, result },
});

describe("a Prometheus instant query's answer", () => {
  it("gives one value per vector series, a scalar's value, a matrix series' last sample", () => {
    expect(
      readAnswer(
        "prometheus",
        prometheus("vector", [
          { metric: {}, value: [1, "0.5"] },
          { metric: {}, value: [1, "+Inf"] },
        ]),
      ),
    ).toEqual({ values: [0.5, Number.POSITIVE_INFINITY] });
    expect(readAnswer("prometheus", prometheus("scalar", [1, "3"]))).toEqual({ values: [3] });
    expect(
      readAnswer(
        "prometheus",
        prometheus("matrix", [
          {
            metric: {},
            values: [
              [1, "1"],
              [2, "7"],
            ],
          },
        ]),
      ),
    ).toEqual({ values: [7] });
  });

  it("is no data when empty, the provider's failure when refused or of another shape", () => {
    expect(readAnswer("prometheus", prometheus("vector", []))).toEqual({ values: [] });
    expect(
      readAnswer("prometheus", { status: "error", errorType: "bad_data", error: "parse error" }),
    ).toEqual({
      failure: "prometheus refused the query: parse error",
    });
    expect(readAnswer("prometheus", { hello: 1 })).toEqual({
      failure: "prometheus answered JSON of another shape: no status success with data",
    });
  });

  it("names a string result (or a result type it does not know) instead of blaming a series", () => {
    expect(readAnswer("prometheus", prometheus("string", [1, "hello"]))).toEqual({
      failure:
        'prometheus answered a string result ("hello"), not numbers: the query must give a vector, a matrix or a scalar',
    });
    expect(readAnswer("prometheus", prometheus("histogram", []))).toEqual({
      failure:
        'prometheus answered a result of type "histogram", not numbers: the query must give a vector, a matrix or a scalar',
    });
  });
});

describe("a Datadog metrics query's answer", () => {
  it("gives each series' last non-null point; an empty series list is no data", () => {
    const series = (pointlist: unknown[]) => ({ pointlist });
    expect(
      readAnswer("datadog", {
        status: "ok",
        series: [
          series([
            [1, 2],
            [2, 5],
            [3, null],
          ]),
          series([[1, 0.5]]),
        ],
      }),
    ).toEqual({ values: [5, 0.5] });
    expect(readAnswer("datadog", { status: "ok", series: [] })).toEqual({ values: [] });
    expect(readAnswer("datadog", { errors: ["Forbidden"] })).toEqual({
      failure: "datadog refused the query: Forbidden",
    });
  });
});

describe("a JSON document at a path", () => {
  const doc = {
    data: { "odd key": 4, items: [{ n: 1 }, { n: "2.5" }, { n: null }], word: "high" },
  };

  it("reads keys, indexes, quoted keys and [*]", () => {
    expect(readAnswer("web", doc, '$.data["odd key"]')).toEqual({ values: [4] });
    expect(readAnswer("web", doc, "$.data.items[1].n")).toEqual({ values: [2.5] });
    expect(readAnswer("web", doc, "$.data.items[*].n")).toEqual({ values: [1, 2.5] });
  });

  it("is no data where nothing is, the provider's failure where a value is not a number", () => {
    expect(readAnswer("web", doc, "$.data.items[9].n")).toEqual({ values: [] });
    expect(readAnswer("web", doc, "$.data.constructor")).toEqual({ values: [] });
    expect(readAnswer("web", doc, "$.data.word")).toEqual({
      failure: "the value at $.data.word is string, not a number (use [*] for a list)",
    });
  });
});
