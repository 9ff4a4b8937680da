// dependency-cruiser (run by `npm run lint`): the layers of src/, lowest first. A folder may import
// from its own layer and the layers below it, never from a layer above (README, "Module map").
const LAYERS = [
  ['config'],
  ['common'],
  ['database', 'queue'],
  ['regions'],
  ['auth'],
  ['households'],
  ['health'],
  ['ledger'],
  ['checks', 'escalation', 'uploads', 'imports', 'reconciliation', 'risk', 'notifications', 'reports'],
  ['web'],
  ['app'],
];

const folders = (layers) => `^src/(${layers.flat().join('|')})/`;

const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${layer.join('-')}`,
  comment: `${layer.join(', ')} may not import from a higher layer`,
  severity: 'error',
  from: { path: folders([layer]) },
  to: { path: `${folders(LAYERS.slice(i + 1))}|^src/main\\.ts$` },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'uploads-shared',
      comment: 'uploads is what imports and reconciliations share: it uses no feature of its own layer',
      severity: 'error',
      from: { path: '^src/uploads/' },
      to: { path: '^src/(checks|escalation|imports|reconciliation|risk|notifications|reports)/' },
    },
    // imports and reconciliation depend on uploads, never on each other.
    ...[
      ['imports', 'reconciliation'],
      ['reconciliation', 'imports'],
    ].map(([from, to]) => ({
      name: `${from}-not-${to}`,
      severity: 'error',
      from: { path: `^src/${from}/` },
      to: { path: `^src/${to}/` },
    })),
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
