// Why a request went to its version: part of every verdict, shown by `keystone explain`.

export type Reason =
  | { kind: "override"; expiresAt: number }
  | { kind: "rule"; rule: string; split: boolean }
  | { kind: "experiment"; experiment: string; variant: string }
  | { kind: "split" }
  | { kind: "halted"; from: string };
