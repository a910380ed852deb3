import { isUtf8 } from 'node:buffer';
import fp from 'fastify-plugin';

/**
 * JSON bodies must be UTF-8 (RFC 8259 §8.1). Fastify's own parser decodes the bytes
 * with replacement characters, so a body with broken UTF-8 (or a Latin-1 one) would
 * be accepted with U+FFFD where the sender's text was: refuse it with a 400 that says
 * so, and refuse a declared charset other than UTF-8 with a 415. Parsing itself stays
 * Fastify's (secure-json-parse: `__proto__` and `constructor` keys are errors).
 */
export const jsonBodies = fp(
  async (app) => {
    const parseJson = app.getDefaultJsonParser('error', 'error');
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
      const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
      if (charset && charset !== 'utf-8' && charset !== 'utf8') {
        return done(Object.assign(new Error(`charset '${charset}' is not supported; send JSON encoded as UTF-8`), { statusCode: 415 }));
      }
      const buf = body as Buffer;
      if (!isUtf8(buf)) return done(Object.assign(new Error('body is not valid UTF-8; send JSON encoded as UTF-8'), { statusCode: 400 }));
      parseJson(req, buf.toString('utf8'), done);
    });
  },
  { name: 'json-bodies' },
);
