import { FormatRegistry } from '@sinclair/typebox';

// TypeBox's compiler knows no string formats by itself; register the ones the
// contracts use, with the same meaning Ajv (Fastify) gives them.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:?\d{2})$/;
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (v) => DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)));
