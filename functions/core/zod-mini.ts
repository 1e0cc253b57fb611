import * as z from 'zod/mini';
import { en } from 'zod/locales';

/**
 * zod/mini for the schemas on the Lambda hot path (issue #18): zod's classic API is not
 * tree-shakable (~90 kB per bundle even as a namespace import), zod/mini bundles to ~20 kB. Unlike
 * classic zod, zod/mini loads no locale, so a bundle without classic zod would answer every bad input
 * with "Invalid input": the English locale is configured here, once, before any schema is used.
 * Import zod/mini through this module (`import * as z from '../core/zod-mini'`); the bundle-size test
 * checks the messages of a bundled handler.
 */
z.config(en());

export * from 'zod/mini';
