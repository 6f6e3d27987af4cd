import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/platform/config.js';

const SECRET = 'a-session-secret-of-at-least-32-characters';

/** loadConfig must refuse: one ConfigError whose single line names `variable`. */
function assertRefused(environment: NodeJS.ProcessEnv, variable: string): string {
  let thrown: unknown;
  try {
    loadConfig(environment);
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof ConfigError, `expected a ConfigError for ${JSON.stringify(environment)}, got ${String(thrown)}`);
  const message = thrown.message;
  assert.ok(!message.includes('\n'), `one line, got ${JSON.stringify(message)}`);
  assert.ok(message.includes(variable), `the message names ${variable}: ${message}`);
  return message;
}

describe('loadConfig: defaults', () => {
  it('runs on 127.0.0.1:3000 in development with the embedded database in ./data', () => {
    const config = loadConfig({});
    assert.equal(config.env, 'development');
    assert.equal(config.port, 3000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.dataDir, path.resolve('./data'));
    assert.equal(config.sessionSecret, undefined);
    assert.equal(config.adminUsername, undefined);
    assert.equal(config.adminPassword, undefined);
    assert.equal(config.trustProxy, undefined);
    assert.equal(config.baseUrl, 'http://127.0.0.1:3000');
    assert.equal(config.smtpUrl, undefined);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.webConcurrency, 1);
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig({ PORT: '', HOST: '', DATABASE_URL: '', DATA_DIR: '', BASE_URL: '', NODE_ENV: '', TRUST_PROXY: '' });
    assert.equal(config.port, 3000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.env, 'development');
    assert.equal(config.baseUrl, 'http://127.0.0.1:3000');
    assert.equal(config.trustProxy, undefined);
  });

  it('does not read process.env when given an environment', () => {
    const saved = process.env.PORT;
    process.env.PORT = '4321';
    try {
      assert.equal(loadConfig({}).port, 3000);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });

  it('is silent under test unless LOG_LEVEL says otherwise', () => {
    assert.equal(loadConfig({ NODE_ENV: 'test' }).logLevel, 'silent');
    assert.equal(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'debug' }).logLevel, 'debug');
  });
});

describe('loadConfig: PORT and HOST', () => {
  it('takes a valid port and host', () => {
    const config = loadConfig({ PORT: '8080', HOST: '0.0.0.0' });
    assert.equal(config.port, 8080);
    assert.equal(config.host, '0.0.0.0');
  });

  for (const bad of ['abc', '80abc', '-1', '65536', '80.5', '99999999']) {
    it(`refuses PORT=${JSON.stringify(bad)} with one line naming PORT`, () => {
      assertRefused({ PORT: bad }, 'PORT');
    });
  }

  for (const bad of [' ', '0x1F90', '1e3']) {
    it(`refuses PORT=${JSON.stringify(bad)}, which is not a plain port number`, () => {
      assertRefused({ PORT: bad }, 'PORT');
    });
  }
});

describe('loadConfig: DATABASE_URL', () => {
  it('takes a postgres:// or postgresql:// URL', () => {
    assert.equal(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/blog' }).databaseUrl, 'postgres://u:p@db:5432/blog');
    assert.equal(loadConfig({ DATABASE_URL: 'postgresql://db/blog' }).databaseUrl, 'postgresql://db/blog');
  });

  for (const bad of ['mysql://u:p@db/blog', 'db:5432/blog', 'postgres://', 'postgres://u:p@db/blog with space', 'http://db/blog']) {
    it(`refuses DATABASE_URL=${JSON.stringify(bad)} with one line naming it`, () => {
      assertRefused({ DATABASE_URL: bad }, 'DATABASE_URL');
    });
  }

  it('does not repeat the password of a refused URL', () => {
    const message = assertRefused({ DATABASE_URL: 'postgres://blog:hunter2-secret@db/blog name' }, 'DATABASE_URL');
    assert.ok(!message.includes('hunter2-secret'), message);
  });
});

describe('loadConfig: SESSION_SECRET and production', () => {
  it('refuses production without SESSION_SECRET', () => {
    assertRefused({ NODE_ENV: 'production' }, 'SESSION_SECRET');
    assertRefused({ NODE_ENV: 'production', SESSION_SECRET: '' }, 'SESSION_SECRET');
  });

  it('refuses a SESSION_SECRET shorter than 32 characters', () => {
    assertRefused({ NODE_ENV: 'production', SESSION_SECRET: 'short' }, 'SESSION_SECRET');
    assertRefused({ SESSION_SECRET: 'x'.repeat(31) }, 'SESSION_SECRET');
  });

  it('runs in production with a long enough secret', () => {
    const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: SECRET });
    assert.equal(config.env, 'production');
    assert.equal(config.sessionSecret, SECRET);
    assert.equal(config.logLevel, 'info');
  });

  it('allows development without a secret (one is generated into DATA_DIR)', () => {
    assert.equal(loadConfig({ NODE_ENV: 'development' }).sessionSecret, undefined);
  });

  it('refuses an unknown NODE_ENV', () => {
    assertRefused({ NODE_ENV: 'staging' }, 'NODE_ENV');
  });
});

describe('loadConfig: BASE_URL', () => {
  it('defaults to http://HOST:PORT', () => {
    assert.equal(loadConfig({ HOST: 'blog.internal', PORT: '8080' }).baseUrl, 'http://blog.internal:8080');
    assert.equal(loadConfig({ HOST: 'localhost' }).baseUrl, 'http://localhost:3000');
  });

  it('uses 127.0.0.1 in the default when listening on every interface', () => {
    assert.equal(loadConfig({ HOST: '0.0.0.0', PORT: '8080' }).baseUrl, 'http://127.0.0.1:8080');
    assert.equal(loadConfig({ HOST: '::', PORT: '8080' }).baseUrl, 'http://127.0.0.1:8080');
  });

  it('brackets an IPv6 HOST so the default is a valid URL', () => {
    const { baseUrl } = loadConfig({ HOST: '::1', PORT: '8080' });
    assert.equal(baseUrl, 'http://[::1]:8080');
    assert.ok(URL.canParse(baseUrl));
  });

  it('takes an explicit BASE_URL, without a trailing slash', () => {
    assert.equal(loadConfig({ BASE_URL: 'https://blog.example.com/' }).baseUrl, 'https://blog.example.com');
    assert.equal(loadConfig({ BASE_URL: 'https://blog.example.com', PORT: '8080' }).baseUrl, 'https://blog.example.com');
  });

  for (const bad of ['blog.example.com', 'ftp://blog.example.com', 'javascript:alert(1)', 'https://']) {
    it(`refuses BASE_URL=${JSON.stringify(bad)}`, () => {
      assertRefused({ BASE_URL: bad }, 'BASE_URL');
    });
  }
});

describe('loadConfig: other settings', () => {
  it('refuses ADMIN_USERNAME without ADMIN_PASSWORD', () => {
    assertRefused({ ADMIN_USERNAME: 'editor' }, 'ADMIN_PASSWORD');
    const config = loadConfig({ ADMIN_USERNAME: 'editor', ADMIN_PASSWORD: 'a long enough password' });
    assert.equal(config.adminUsername, 'editor');
    assert.equal(config.adminPassword, 'a long enough password');
  });

  it('refuses an ADMIN_PASSWORD shorter than 12 characters or on the common-password list, in one line naming it', () => {
    for (const password of ['short pass1', 'qwerty123456', 'Password1234']) {
      const message = assertRefused({ ADMIN_USERNAME: 'editor', ADMIN_PASSWORD: password }, 'ADMIN_PASSWORD');
      assert.doesNotMatch(message, new RegExp(password), 'the password itself is not printed');
    }
    assert.match(assertRefused({ ADMIN_USERNAME: 'editor', ADMIN_PASSWORD: 'short pass1' }, 'ADMIN_PASSWORD'), /at least 12 characters/);
    assert.match(assertRefused({ ADMIN_USERNAME: 'editor', ADMIN_PASSWORD: 'qwerty123456' }, 'ADMIN_PASSWORD'), /common/);
    assert.equal(loadConfig({ ADMIN_USERNAME: 'editor', ADMIN_PASSWORD: 'twelve chars' }).adminPassword, 'twelve chars');
  });

  it('reads TRUST_PROXY as Express expects it', () => {
    assert.equal(loadConfig({ TRUST_PROXY: 'true' }).trustProxy, true);
    assert.equal(loadConfig({ TRUST_PROXY: 'false' }).trustProxy, false);
    assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
    assert.equal(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy, 'loopback, 10.0.0.0/8');
  });

  it('refuses an SMTP_URL that is not smtp:// or smtps://', () => {
    assert.equal(loadConfig({ SMTP_URL: 'smtps://u:p@mail.example.com:465' }).smtpUrl, 'smtps://u:p@mail.example.com:465');
    assertRefused({ SMTP_URL: 'http://mail.example.com' }, 'SMTP_URL');
  });

  it('refuses an unknown LOG_LEVEL', () => {
    assertRefused({ LOG_LEVEL: 'loud' }, 'LOG_LEVEL');
  });

  it('resolves DATA_DIR to an absolute path', () => {
    assert.equal(loadConfig({ DATA_DIR: 'var/blog' }).dataDir, path.resolve('var/blog'));
  });
});

describe('loadConfig: WEB_CONCURRENCY', () => {
  it('takes a number of worker processes, 1 when unset or empty', () => {
    assert.equal(loadConfig({ WEB_CONCURRENCY: '4' }).webConcurrency, 4);
    assert.equal(loadConfig({ WEB_CONCURRENCY: '1' }).webConcurrency, 1);
    assert.equal(loadConfig({ WEB_CONCURRENCY: '64' }).webConcurrency, 64);
    assert.equal(loadConfig({ WEB_CONCURRENCY: '' }).webConcurrency, 1);
  });

  for (const bad of ['0', '-2', '2.5', 'two', ' 2', '1e2', '65', '1000', 'auto']) {
    it(`refuses WEB_CONCURRENCY=${JSON.stringify(bad)} with one line naming it`, () => {
      const message = assertRefused({ WEB_CONCURRENCY: bad }, 'WEB_CONCURRENCY');
      assert.match(message, /whole number of worker processes from 1 to 64/);
    });
  }
});
