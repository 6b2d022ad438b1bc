'use strict';
// Used by scripts/run-app.cjs (the app command); __tests__/run-app.test.ts checks it.
const Module = require('module');

/**
 * cdktf loads archiver (and its dependencies: streams, glob, async, zip) and semver when it is loaded, for features
 * the app does not use at synth: archiver only zips TerraformAsset directories (cdktf/lib/private/fs.js, archiveSync),
 * semver only checks the terraform binary's version (cdktf/lib/validations/validate-binary-version.js, which
 * app/synth-speed.ts skips). Loading them costs about a tenth of a second on every synth. Here cdktf gets stand-ins
 * that load the real module on first use: archiver as a function (fs.js calls `archiver("zip", …)`), semver as an
 * object whose properties come from the real module (`semver.satisfies(…)`). Nothing else is changed; cdktf 0.21.0
 * is final and pinned exactly, so these two require sites do not move.
 */
module.exports = function deferCdktfDependencies() {
  const load = Module._load;
  const fromCdktf = (parent) => parent && /[\\/]node_modules[\\/]cdktf[\\/]lib[\\/]/.test(parent.filename || '');
  Module._load = function deferredLoad(request, parent) {
    if (request === 'archiver' && fromCdktf(parent)) {
      return function archiver(...args) {
        return load.call(Module, 'archiver', parent, false)(...args);
      };
    }
    if (request === 'semver' && fromCdktf(parent)) {
      let real;
      const get = () => (real ??= load.call(Module, 'semver', parent, false));
      return new Proxy({}, { get: (_, key) => get()[key], has: (_, key) => key in get(), ownKeys: () => Reflect.ownKeys(get()), getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(get(), key) });
    }
    return load.apply(this, arguments);
  };
};
