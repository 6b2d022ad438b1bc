export * from './cert-manager';
export * from './capsule-operator';
export * from './capsule-proxy';
