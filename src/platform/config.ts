import path from 'node:path';
import { z } from 'zod';
import { passwordProblem } from '../admin-auth/index.js';

/** The only place that reads process.env: validated once, at start. */
export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  sessionSecret: string | undefined;
  adminUsername: string | undefined;
  adminPassword: string | undefined;
  trustProxy: boolean | number | string | undefined;
  baseUrl: string;
  smtpUrl: string | undefined;
  logLevel: string;
  /** Worker processes serving the one port; 1 runs no cluster at all. */
  webConcurrency: number;
  /** On SIGTERM, how long /readyz answers 503 while requests are still served, before the port closes. */
  shutdownDrainMs: number;
}

export class ConfigError extends Error {}

const MAX_WORKERS = 64;
/** The whole stop must fit in 10 s, and the requests still in flight after the drain need some of it. */
const MAX_DRAIN_SECONDS = 6;
const DRAIN_MESSAGE = `must be a whole number of seconds from 0 to ${MAX_DRAIN_SECONDS}`;
const WORKERS_MESSAGE = `must be a whole number of worker processes from 1 to ${MAX_WORKERS}`;

const blankToUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalText = z.preprocess(blankToUndefined, z.string().optional());

const postgresUrl = z.preprocess(
  blankToUndefined,
  z
    .string()
    .refine((value) => /^postgres(ql)?:\/\/[^\s]+$/.test(value) && URL.canParse(value), {
      message: 'must be a postgres:// URL, like postgres://user:password@host:5432/database',
    })
    .optional(),
);

const environmentSchema = z.object({
  NODE_ENV: z.preprocess(blankToUndefined, z.enum(['development', 'production', 'test']).default('development')),
  PORT: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^\d{1,5}$/, 'must be a port number from 0 to 65535')
      .transform(Number)
      .pipe(z.number().max(65535, 'must be a port number from 0 to 65535'))
      .default(3000),
  ),
  HOST: z.preprocess(blankToUndefined, z.string().default('127.0.0.1')),
  DATABASE_URL: postgresUrl,
  DATA_DIR: z.preprocess(blankToUndefined, z.string().default('./data')),
  SESSION_SECRET: z.preprocess(blankToUndefined, z.string().min(32, 'must be at least 32 characters').optional()),
  ADMIN_USERNAME: optionalText,
  // The rule every password set through the admin or the command line follows.
  ADMIN_PASSWORD: z.preprocess(
    blankToUndefined,
    z
      .string()
      .superRefine((value, context) => {
        const problem = passwordProblem(value);
        if (problem)
          context.addIssue({
            code: 'custom',
            message: problem.replace(/^The password/, 'the password').replace(/^This password/, 'this password'),
          });
      })
      .optional(),
  ),
  TRUST_PROXY: optionalText,
  BASE_URL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .refine((value) => /^https?:\/\/[^\s]+$/.test(value) && URL.canParse(value), {
        message: 'must be an http:// or https:// URL, like https://blog.example.com',
      })
      .optional(),
  ),
  SMTP_URL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .refine((value) => /^smtps?:\/\//.test(value) && URL.canParse(value), {
        message: 'must be an smtp:// or smtps:// URL',
      })
      .optional(),
  ),
  LOG_LEVEL: z.preprocess(blankToUndefined, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional()),
  // Capped well below what would exhaust PostgreSQL's connections (each worker holds its own pools).
  WEB_CONCURRENCY: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^\d{1,3}$/, WORKERS_MESSAGE)
      .transform(Number)
      .pipe(z.number().min(1, WORKERS_MESSAGE).max(MAX_WORKERS, WORKERS_MESSAGE))
      .default(1),
  ),
  SHUTDOWN_DRAIN_SECONDS: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^\d{1,2}$/, DRAIN_MESSAGE)
      .transform(Number)
      .pipe(z.number().max(MAX_DRAIN_SECONDS, DRAIN_MESSAGE))
      .optional(),
  ),
});

/** Every environment variable the app reads. */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(environmentSchema.shape);

/** Express's `trust proxy` accepts booleans, hop counts and address lists. */
function parseTrustProxy(value: string | undefined): Config['trustProxy'] {
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

export function loadConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Invalid ${String(issue.path[0])}: ${issue.message}`);
  }
  const values = parsed.data;
  if (values.NODE_ENV === 'production' && !values.SESSION_SECRET) {
    throw new ConfigError('Missing SESSION_SECRET: it is required when NODE_ENV=production (at least 32 random characters)');
  }
  if (values.ADMIN_USERNAME && !values.ADMIN_PASSWORD) {
    throw new ConfigError('Missing ADMIN_PASSWORD: it is required when ADMIN_USERNAME is set');
  }
  const listenHost = values.HOST === '0.0.0.0' || values.HOST === '::' ? '127.0.0.1' : values.HOST;
  const displayHost = listenHost.includes(':') ? `[${listenHost}]` : listenHost;
  return {
    env: values.NODE_ENV,
    port: values.PORT,
    host: values.HOST,
    databaseUrl: values.DATABASE_URL,
    dataDir: path.resolve(values.DATA_DIR),
    sessionSecret: values.SESSION_SECRET,
    adminUsername: values.ADMIN_USERNAME,
    adminPassword: values.ADMIN_PASSWORD,
    trustProxy: parseTrustProxy(values.TRUST_PROXY),
    baseUrl: (values.BASE_URL ?? `http://${displayHost}:${values.PORT}`).replace(/\/+$/, ''),
    smtpUrl: values.SMTP_URL,
    logLevel: values.LOG_LEVEL ?? (values.NODE_ENV === 'test' ? 'silent' : 'info'),
    webConcurrency: values.WEB_CONCURRENCY,
    // Tests stop servers all the time and have no load balancer to tell.
    shutdownDrainMs: (values.SHUTDOWN_DRAIN_SECONDS ?? (values.NODE_ENV === 'test' ? 0 : 5)) * 1000,
  };
}
