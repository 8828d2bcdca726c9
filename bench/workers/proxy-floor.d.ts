// The proxy floor (P) is plain JavaScript, run by workerd as written; bench/workers/own-cost.ts
// imports it, and these are its types.
declare const floor: {
  fetch(
    request: Request,
    env: { ORIGIN: string; KEYSTONE_HEADERS?: string; READ_CF?: string; EXTRA_HEADERS?: string },
  ): Promise<Response>;
};
export default floor;
