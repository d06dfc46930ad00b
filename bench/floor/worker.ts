/**
 * The floor for the media cache-hit benchmark: a bare Worker that answers every request
 * it is routed with caches.default.match of one 100 KB item, storing it on first use.
 */
const SIZE = 100 * 1024;

export default {
  async fetch(request: Request): Promise<Response> {
    const key = new URL("/__floor/item", request.url).toString();
    const hit = await caches.default.match(key);
    if (hit) return hit;
    const bytes = new Uint8Array(SIZE).map((_, i) => (i * 31) & 0xff);
    await caches.default.put(
      key,
      new Response(bytes, {
        headers: { "Content-Type": "image/png", "Cache-Control": "public, max-age=86400" },
      }),
    );
    return new Response(bytes, { headers: { "Content-Type": "image/png" } });
  },
};
