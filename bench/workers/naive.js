// C: the splitter most tutorials show: read and parse the config from KV on every request,
// pick a version at random by weight, forward.
export default {
  async fetch(request, env) {
    const config = JSON.parse(await env.CONFIG.get("config"));
    let roll = Math.random() * 100;
    let chosen = Object.keys(config.weights)[0];
    for (const [version, weight] of Object.entries(config.weights)) {
      if (roll < weight) {
        chosen = version;
        break;
      }
      roll -= weight;
    }
    const url = new URL(request.url);
    const response = await fetch(config.versions[chosen] + url.pathname + url.search, request);
    const out = new Response(response.body, response);
    out.headers.set("x-version", chosen);
    return out;
  },
};
