import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Module hooks registered by ts-loader.mjs (the tests' processes, `npm run import`):
 * the project's `.ts` files are loaded as JavaScript with their types
 * stripped, each kept in a cache under node_modules/.cache once stripped.
 * Only the project's own relative `./x.js` imports are looked up as `./x.ts`;
 * everything else goes straight to Node. tsx does the same and more, but
 * its resolver, run for every import, is a large part of a test file's start-up.
 */
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const projectUrl = pathToFileURL(`${projectRoot}/`).href;
const modulesUrl = pathToFileURL(`${projectRoot}/node_modules/`).href;
const cacheFolder = path.join(projectRoot, 'node_modules/.cache/broadsheet-test-js');

// A new TypeScript may strip differently: its version is part of every cached file's key.
const typescriptVersion = JSON.parse(readFileSync(path.join(projectRoot, 'node_modules/typescript/package.json'), 'utf8')).version;

const isOwnFile = (url) => url?.startsWith(projectUrl) && !url.startsWith(modulesUrl);

let typescript;

async function stripTypes(file, source) {
  typescript ??= (await import('typescript')).default;
  return typescript.transpileModule(source, {
    fileName: file,
    compilerOptions: {
      module: typescript.ModuleKind.ESNext,
      target: typescript.ScriptTarget.ES2022,
      inlineSourceMap: true,
      inlineSources: true,
    },
  }).outputText;
}

/** The file's JavaScript, from the cache when this exact source was stripped before. */
async function javaScriptOf(file) {
  const source = readFileSync(file, 'utf8');
  const cached = path.join(
    cacheFolder,
    `${createHash('sha256').update(`${typescriptVersion}\0${file}\0`).update(source).digest('hex')}.js`,
  );
  if (existsSync(cached)) return readFileSync(cached, 'utf8');
  const code = await stripTypes(file, source);
  mkdirSync(cacheFolder, { recursive: true });
  // Several test processes may strip the same file at once: each writes its own copy, then renames it into place.
  const partial = `${cached}.${process.pid}`;
  writeFileSync(partial, code);
  renameSync(partial, cached);
  return code;
}

export async function resolve(specifier, context, nextResolve) {
  if (isOwnFile(context.parentURL) && specifier.startsWith('.') && specifier.endsWith('.js')) {
    const typeScriptUrl = new URL(`${specifier.slice(0, -'.js'.length)}.ts`, context.parentURL);
    if (existsSync(typeScriptUrl)) return { url: typeScriptUrl.href, format: 'module', shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (isOwnFile(url) && url.endsWith('.ts')) {
    return { format: 'module', source: await javaScriptOf(fileURLToPath(url)), shortCircuit: true };
  }
  return nextLoad(url, context);
}
