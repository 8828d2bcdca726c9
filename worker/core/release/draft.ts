// A release decision being made: a copy of the state that the pure steps change, and the history
// events and effects they add. Each step of the release core takes a draft; nothing outside it is
// touched, so the core stays a pure function of (state, input, now).
import type {
  ReleaseEffect,
  ReleaseEvent,
  ReleaseEventType,
  ReleaseState,
  ServiceProgress,
} from "../../../schemas/release-state.ts";

export interface ReleaseDecision {
  state: ReleaseState;
  events: ReleaseEvent[];
  effects: ReleaseEffect[];
}

export class ReleaseDraft {
  readonly state: ReleaseState;
  readonly events: ReleaseEvent[] = [];
  readonly effects: ReleaseEffect[] = [];
  readonly now: number;
  /** Who the events are recorded under: an operator, "cron", or null for the release itself. */
  readonly author: string | null;

  constructor(state: ReleaseState, now: number, author: string | null) {
    this.state = { ...state, services: state.services.map((s) => ({ ...s })) };
    this.now = now;
    this.author = author;
  }

  get run(): number {
    return this.state.startedAt;
  }

  service(name: string): ServiceProgress | undefined {
    return this.state.services.find((s) => s.service === name);
  }

  inStatus(...statuses: ServiceProgress["status"][]): ServiceProgress[] {
    return this.state.services.filter((s) => statuses.includes(s.status));
  }

  record(type: ReleaseEventType, reason: string, about?: ServiceProgress): void {
    this.events.push({
      at: this.now,
      type,
      service: about?.service ?? null,
      rolloutId: about?.rolloutId ?? null,
      author: this.author,
      reason,
    });
  }

  send(effect: ReleaseEffect): void {
    this.effects.push(effect);
  }

  decision(): ReleaseDecision {
    return { state: this.state, events: this.events, effects: this.effects };
  }
}
