/**
 * The folder boundaries of docs/architecture.md, checked by `npm run lint`.
 * Features are src/<feature>/; src/platform/ is what every feature stands on.
 */
const FEATURES = '^src/(articles|comments|moderation|settings|admin-auth|mail|feeds|people|tags|media|moving|privacy)/';

module.exports = {
  forbidden: [
    {
      name: 'server-stays-in-src',
      comment: 'The server never loads the operator tools, the scripts or the tests.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(tools|scripts|tests)/' },
    },
    {
      name: 'migrations-stand-alone',
      comment: 'A migration is immutable once merged: it never imports app code that may change.',
      severity: 'error',
      from: { path: '^migrations/' },
      to: { path: '^(src|tools|scripts)/' },
    },
    {
      name: 'plumbing-knows-no-feature',
      comment: 'HTTP plumbing and rendering serve every feature and depend on none (the page models only name their types).',
      severity: 'error',
      from: { path: '^src/platform/(http|rendering)/' },
      // The error page names the signed-in admin, so it may ask admin-auth who that is.
      to: { path: FEATURES, pathNot: '^src/admin-auth/index\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'features-have-one-door',
      comment: 'Outside its folder a feature is used through its index.ts only; the URL table (routes.ts, app.ts) names handlers directly.',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: FEATURES, pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'no-cycles-between-features',
      severity: 'warn',
      from: { path: FEATURES },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'page-cache-has-one-door',
      comment: 'Outside its folder, the page cache is used through its index.ts only.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/platform/(page-cache/|app-runtime\\.ts$)' },
      to: { path: '^src/platform/page-cache/', pathNot: '^src/platform/page-cache/index\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^(dist|node_modules)/' },
  },
};
