// Runs a GitLab pipeline the way GitLab schedules it, for tests: stage by stage, each job's
// before_script + script as one bash script (as a shell runner does), job results from exit codes
// (allow_failure and its exit_codes included), dotenv reports passed to later jobs, and a
// blocking manual job (when: manual, allow_failure: false) holding the pipeline until play().
// `image:` is not pulled: runnerEnv() puts this Node on PATH as node:22 would.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runBash, runnerEnv } from "./bash-step.ts";
import { type GitlabJob, loadPipeline } from "./gitlab-config.ts";

export type JobStatus = "success" | "failed" | "warning" | "manual" | "skipped" | "created";

export interface JobResult {
  status: JobStatus;
  code: number | null;
  log: string;
  dotenv: Record<string, string>;
}

function parseDotenv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split("\n")
      .filter((line) => /^\w+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

export class GitlabPipeline {
  readonly jobs: GitlabJob[];
  readonly results = new Map<string, JobResult>();
  readonly #dir: string;
  readonly #stages: string[];

  constructor(dir: string, variables: Record<string, string>) {
    const config = loadPipeline(dir, variables);
    this.#dir = dir;
    this.#stages = config.stages;
    this.jobs = config.jobs;
    for (const job of this.jobs)
      this.results.set(job.name, { status: "created", code: null, log: "", dotenv: {} });
  }

  status(name: string): JobStatus {
    const result = this.results.get(name);
    if (!result) throw new Error(`the pipeline has no job "${name}"`);
    return result.status;
  }

  /** Runs what can run: stops at a blocking manual job, or when a failure skips the rest. */
  async run(): Promise<void> {
    for (const stage of this.#stages) {
      for (const job of this.jobs.filter((j) => j.stage === stage)) {
        if (this.results.get(job.name)!.status !== "created") continue;
        const ready = this.#upstream(job).every((j) => this.#passed(j.name));
        const failed = this.#upstream(job).some((j) =>
          ["failed", "skipped"].includes(this.status(j.name)),
        );
        if (failed) this.results.get(job.name)!.status = "skipped";
        else if (!ready) return;
        else if (job.when === "manual") this.results.get(job.name)!.status = "manual";
        else await this.#execute(job);
      }
      const blocked = this.jobs.some(
        (j) => j.stage === stage && this.status(j.name) === "manual" && j.allowFailure === false,
      );
      if (blocked) return;
    }
  }

  /** Plays a manual job (as its button would), then carries on with the pipeline. */
  async play(name: string): Promise<void> {
    const job = this.jobs.find((j) => j.name === name);
    if (!job || this.status(name) !== "manual")
      throw new Error(`${name} is not waiting to be played`);
    await this.#execute(job);
    await this.run();
  }

  /** The jobs a job waits for: its needs, else every job of the earlier stages. */
  #upstream(job: GitlabJob): GitlabJob[] {
    const index = this.#stages.indexOf(job.stage);
    return job.needs
      ? this.jobs.filter((j) => job.needs!.includes(j.name))
      : this.jobs.filter((j) => this.#stages.indexOf(j.stage) < index);
  }

  #passed(name: string): boolean {
    const job = this.jobs.find((j) => j.name === name)!;
    const status = this.status(name);
    return (
      status === "success" ||
      status === "warning" ||
      (status === "manual" && job.allowFailure !== false)
    );
  }

  async #execute(job: GitlabJob): Promise<void> {
    const dotenv = Object.assign(
      {},
      ...this.#upstream(job).map((j) => this.results.get(j.name)!.dotenv),
    );
    const env = runnerEnv({
      CI_PROJECT_DIR: this.#dir,
      CI_JOB_NAME: job.name,
      ...job.variables,
      ...dotenv,
    });
    const run = await runBash(job.script.join("\n"), env, this.#dir);
    const allowed = Array.isArray(job.allowFailure)
      ? job.allowFailure.includes(run.code)
      : job.allowFailure;
    const status: JobStatus = run.code === 0 ? "success" : allowed ? "warning" : "failed";
    let report: Record<string, string> = {};
    if (job.dotenv && (status !== "failed" || job.dotenvAlways)) {
      try {
        report = parseDotenv(readFileSync(join(this.#dir, job.dotenv), "utf8"));
      } catch {
        report = {};
      }
    }
    this.results.set(job.name, {
      status,
      code: run.code,
      log: run.stdout + run.stderr,
      dotenv: report,
    });
  }
}
