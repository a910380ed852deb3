import zlib from 'node:zlib';
import fp from 'fastify-plugin';

/** Accepts `Content-Encoding: gzip` request bodies. Fastify's body limit applies to
 * the inflated bytes, so a compression bomb is a 413, not an outage. */
export const gzipBodies = fp(
  async (app) => {
    app.addHook('preParsing', async (req, _reply, payload) => {
      const enc = req.headers['content-encoding'];
      if (!enc || enc === 'identity') return payload;
      if (enc !== 'gzip') {
        const err = new Error(`Content-Encoding '${enc}' is not supported; send gzip or identity`) as Error & { statusCode: number };
        err.statusCode = 415;
        throw err;
      }
      delete req.headers['content-length'];
      const gunzip = zlib.createGunzip();
      payload.pipe(gunzip);
      payload.on('error', (e) => gunzip.destroy(e));
      return gunzip;
    });
  },
  { name: 'gzip-bodies' },
);
