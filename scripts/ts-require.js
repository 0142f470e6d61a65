// Lets plain `node` require the TypeScript sources (the fuzz run uses it for itself and its
// server process): each .ts file is transpiled on load, as jest's ts-jest does. Types are
// checked by `npm run typecheck`, not here.
'use strict';
const fs = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};
