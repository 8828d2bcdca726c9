// Why a request went to its version: part of every verdict, shown by `keystone explain`.

/** What the split stage decided: the bucket, a version pin, or a regional wave's edge. */
export type SplitReason =
  | { kind: "split" }
  | { kind: "affinity"; expiresAt: number }
  | { kind: "wave-outside" };

export type Reason =
  | { kind: "override"; expiresAt: number }
  | { kind: "rule"; rule: string; split: boolean }
  | { kind: "experiment"; experiment: string; variant: string }
  | SplitReason
  | { kind: "halted"; from: string };
