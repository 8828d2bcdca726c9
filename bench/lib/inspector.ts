// A minimal Chrome DevTools Protocol client for workerd's inspector (Miniflare's inspectorPort):
// one WebSocket per isolate, commands answered by id. Enough for Profiler.start / Profiler.stop and
// a heap snapshot's live bytes.

export interface CpuProfileNode {
  id: number;
  callFrame: {
    functionName: string;
    scriptId: string;
    url: string;
    /** Zero-based, as in the protocol. */
    lineNumber: number;
    columnNumber: number;
  };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  /** Node id of each sample, and the µs since the previous sample. */
  samples: number[];
  timeDeltas: number[];
}

export class InspectorSession {
  readonly #socket: WebSocket;
  readonly #pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  #nextId = 1;
  /** A heap snapshot's chunks while one is being taken. */
  #snapshotChunks: string[] | undefined;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(String(event.data)) as {
        id?: number;
        method?: string;
        params?: { chunk?: string };
        result?: unknown;
        error?: { message: string };
      };
      if (message.method === "HeapProfiler.addHeapSnapshotChunk")
        this.#snapshotChunks?.push(message.params?.chunk ?? "");
      const waiting = message.id === undefined ? undefined : this.#pending.get(message.id);
      if (!waiting) return;
      this.#pending.delete(message.id!);
      if (message.error) waiting.reject(new Error(`inspector: ${message.error.message}`));
      else waiting.resolve(message.result);
    });
  }

  /** Opens a session with the isolate of one workerd service ("core:user:" is the Worker). */
  static async open(inspectorPort: number, target: string): Promise<InspectorSession> {
    const list = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json()) as {
      id: string;
      webSocketDebuggerUrl: string;
    }[];
    const found = list.find((t) => t.id === target);
    if (!found) {
      throw new Error(
        `inspector: no target "${target}" (targets: ${list.map((t) => t.id).join(", ")})`,
      );
    }
    const socket = new WebSocket(found.webSocketDebuggerUrl);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener("open", () => resolve(), { once: true });
      socket.addEventListener(
        "error",
        () => reject(new Error(`inspector: cannot open ${target}`)),
        {
          once: true,
        },
      );
    });
    return new InspectorSession(socket);
  }

  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: (v) => resolve(v as T), reject });
      this.#socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Starts the sampling profiler (interval in µs). */
  async startProfiler(intervalUs: number): Promise<void> {
    await this.send("Profiler.enable");
    await this.send("Profiler.setSamplingInterval", { interval: intervalUs });
    await this.send("Profiler.start");
  }

  async stopProfiler(): Promise<CpuProfile> {
    const { profile } = await this.send<{ profile: CpuProfile }>("Profiler.stop");
    return profile;
  }

  /**
   * The bytes of every object the isolate can still reach: a heap snapshot (V8 collects garbage
   * before taking one), its nodes' self sizes summed. What the isolate holds, without the free
   * space and unswept pages its used-heap figure can include.
   */
  async liveHeapBytes(): Promise<number> {
    this.#snapshotChunks = [];
    await this.send("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
    const snapshot = JSON.parse(this.#snapshotChunks.join("")) as {
      snapshot: { meta: { node_fields: string[] } };
      nodes: number[];
    };
    this.#snapshotChunks = undefined;
    const fields = snapshot.snapshot.meta.node_fields;
    const selfSize = fields.indexOf("self_size");
    let bytes = 0;
    for (let i = selfSize; i < snapshot.nodes.length; i += fields.length)
      bytes += snapshot.nodes[i]!;
    return bytes;
  }

  close(): void {
    this.#socket.close();
  }
}
